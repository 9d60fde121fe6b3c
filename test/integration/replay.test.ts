/**
 * Replay safety: every recorded history (request and billing workflows) under test/histories (see scripts/record-histories.ts) must
 * replay against the current workflow code. A change that would break running requests fails here
 * (guard it with patched() instead).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_SOURCE_PATH } from '../../worker/worker';
import { installTestRuntime } from '../support/env';
import { historyFromJson } from '../support/history-json';

/** The source folder, also when running from a build output folder (dist/, .build-*). */
const HISTORIES_DIR = path.resolve(__dirname, '../../../test/histories');

/** The paths the lifecycle must keep replaying; a missing recording is a failure, not a skip. */
const REQUIRED_PATHS = [
  'straight-through',
  'incomplete-then-corrected',
  'rejected',
  'modification-rounds',
  'cancelled',
  'silence-cancelled',
  'silence-tacit-conformity',
  'billing-dispute-revise-approve',
  'billing-monthly-trigger',
];

describe('replay of recorded request and billing histories', function () {
  this.timeout(120_000);

  // One folder per generation of the workflow code (the top level is the first; each later one was
  // recorded after a patched() change): every generation keeps replaying, since workflows started
  // under it may still run.
  const files = fs.existsSync(HISTORIES_DIR)
    ? (fs.readdirSync(HISTORIES_DIR, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort()
    : [];
  const generations = [...new Set(files.map((f) => path.dirname(f)))];

  it('R1-R5, D6, B1-B5: every generation of recorded histories has every path of the lifecycle and of billing', () => {
    assert.ok(generations.length >= 2, `the first recording and the one after the last patch: ${generations.join(', ')}`);
    for (const generation of generations) {
      const recorded = new Set(files.filter((f) => path.dirname(f) === generation).map((f) => path.basename(f).replace(/(\.\d+)?(\.run\d+)?\.json$/, '')));
      for (const name of REQUIRED_PATHS) assert.ok(recorded.has(name), `no recorded history for '${name}' in ${path.join(HISTORIES_DIR, generation)}`);
    }
  });

  it('R1-R5, D6, B1-B5: every recorded history replays against the current workflow code without a determinism error', async () => {
    installTestRuntime();
    assert.ok(files.length > 0, `no histories in ${HISTORIES_DIR}`);
    const histories = files.map((file) => ({ workflowId: file, history: historyFromJson(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) }));
    // Bundled from the compiled source rather than the prebuilt bundle: this must be the current code.
    const results = Worker.runReplayHistories({ workflowsPath: WORKFLOWS_SOURCE_PATH }, histories);
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of results) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message}`);
    }
    assert.equal(replayed, files.length);
    assert.deepEqual(failures, []);
  });
});
