/**
 * `npm start` as a newcomer runs it: the real start script as a child process, on an empty data
 * folder with the embedded database and the dev server, then Ctrl-C, then a second start on the same
 * data. Ports are free ones (the script's defaults, 3000/7233/8233, are overridable for this).
 */
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { canConnect, freePort } from '../../runtime/dev-server';
import { BILLING_SCHEDULE_ID } from '../../workflows/billing/messages';
import { call } from '../support/http';

const START_SCRIPT = path.resolve(__dirname, '../../scripts/start.js');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function runStart(env: Record<string, string>): Started {
  const child = spawn(process.execPath, [START_SCRIPT], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', RHS_CACHE_DIR: process.env.RHS_CACHE_DIR ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForReady(started: Started, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!/is ready/.test(started.output())) {
    if (started.child.exitCode !== null) throw new Error(`npm start exited early:\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`npm start not ready in ${timeoutMs} ms:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The one clear message a failed start prints: no stack trace lines. */
function assertOneClearMessage(output: string, pattern: RegExp): void {
  assert.match(output, pattern);
  assert.doesNotMatch(output, /^\s+at .+\(.+:\d+:\d+\)$/m, `a stack trace was printed:\n${output}`);
}

/** B1: the monthly Schedule exists as configured, and the worker polls its task queue. */
async function assertBillingScheduleAndWorker(temporalPort: number): Promise<void> {
  const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  try {
    const client = new Client({ connection });
    const schedule = await client.schedule.getHandle(BILLING_SCHEDULE_ID).describe();
    assert.equal(schedule.spec.timezone, 'UTC');
    assert.deepEqual(schedule.spec.calendars?.[0]?.dayOfMonth, [{ start: 1, end: 1, step: 1 }]);
    assert.equal(schedule.policies.catchupWindow, 10 * 86_400_000);
    assert.equal(schedule.policies.overlap, 'SKIP');
    // A poll is recorded once the worker's first long poll reaches the server: give it a moment.
    const pollers = async () =>
      (await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: 'remote-hands' }, taskQueueType: 1 })).pollers ?? [];
    const deadline = Date.now() + 10_000;
    while ((await pollers()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.ok((await pollers()).length > 0, 'the worker polls the remote-hands task queue');
    const attributes = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const name of ['RhsStatus', 'RhsClientId', 'RhsSite', 'RhsPriority']) assert.ok(name in (attributes.customAttributes ?? {}), `search attribute ${name}`);
  } finally {
    await connection.close();
  }
}

describe('npm start (issue 2: the service from one command)', function () {
  this.timeout(180_000);
  let dataDir: string;
  let ports: { api: number; temporal: number; ui: number };
  let env: Record<string, string>;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rhs-start-'));
    ports = { api: await freePort(), temporal: await freePort(), ui: await freePort() };
    env = {
      RHS_DATA_DIR: dataDir,
      PORT: String(ports.api),
      RHS_DEV_TEMPORAL_PORT: String(ports.temporal),
      RHS_DEV_UI_PORT: String(ports.ui),
      RHS_LOG_LEVEL: 'warn',
    };
  });

  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts on an empty data folder, keeps a request across Ctrl-C and a second start, and leaves nothing listening', async () => {
    const api = { apiUrl: `http://127.0.0.1:${ports.api}` };
    const first = runStart(env);
    try {
      await waitForReady(first, 120_000);
      assert.equal((await call(api, 'GET', '/readyz')).status, 200);
      assert.ok(await canConnect('127.0.0.1', ports.ui), 'the Temporal UI answers');
      await assertBillingScheduleAndWorker(ports.temporal);
      const adminToken = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
      assert.match(first.output(), new RegExp(adminToken));

      const client = await call(api, 'POST', '/v1/clients', { token: adminToken, body: { code: 'START', name: 'Start test' } });
      const user = await call(api, 'POST', '/v1/users', { token: adminToken, body: { name: 'U', email: 'u@start.test', role: 'client_authorized', clientId: client.body.id } });
      const filed = await call(api, 'POST', '/v1/requests', { token: user.body.token, body: { site: 'DC', summary: 'swap disk', instructions: 'Swap disk 3 of r1-u2.' } });
      assert.equal(filed.status, 201, JSON.stringify(filed.body));

      first.child.kill('SIGINT');
      assert.equal(await first.exited, 0, first.output());
      for (const port of [ports.api, ports.temporal, ports.ui]) assert.equal(await canConnect('127.0.0.1', port), false, `port ${port} still answers`);

      const second = runStart(env);
      try {
        await waitForReady(second, 60_000);
        const operator = await call(api, 'POST', '/v1/users', { token: adminToken, body: { name: 'Op', email: 'op@start.test', role: 'operator_l1' } });
        const read = await call(api, 'GET', `/v1/requests/${filed.body.id}`, { token: operator.body.token });
        assert.equal(read.status, 200);
        assert.equal(read.body.status, 'IN_VALIDATION');
        const approved = await call(api, 'POST', `/v1/requests/${filed.body.id}/validation`, { token: operator.body.token, body: { decision: 'approve' } });
        assert.equal(approved.status, 200, JSON.stringify(approved.body));
        assert.equal(approved.body.status, 'APPROVED');
      } finally {
        second.child.kill('SIGINT');
        await second.exited;
      }
    } finally {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
    }
  });

  it('a bad DATABASE_URL ends in one clear message', async () => {
    const run = runStart({ ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(await run.exited, 1);
    assertOneClearMessage(run.output(), /cannot reach PostgreSQL at postgres:\/\/nobody@127\.0\.0\.1:1\/none/);
  });

  it('an unreachable TEMPORAL_ADDRESS ends in one clear message', async () => {
    const run = runStart({ ...env, DATABASE_URL: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(await run.exited, 1);
    assertOneClearMessage(run.output(), /cannot reach Temporal at 127\.0\.0\.1:1/);
  });

  it('a missing Temporal CLI ends in one clear message naming the ways to install it', async () => {
    const run = runStart({ ...env, TEMPORAL_CLI: path.join(dataDir, 'no-such-temporal') });
    assert.equal(await run.exited, 1);
    assertOneClearMessage(run.output(), /Temporal CLI not found[\s\S]*go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1/);
  });
});
