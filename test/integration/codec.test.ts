/**
 * Done-when proof for payload encryption: with RHS_CODEC_KEYS set, the dev server's database file holds
 * no request instruction text; without keys (the control) it does, so the check can fail. Each run has
 * its own dev server with its database file in a temp folder, its own worker, API and database.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import { requestWorkflowId } from '../../workflows/request/messages';
import { startSeparateEnv, type SeparateEnv } from '../support/env';
import { act, call, createClient, createStaff, fileRequest, VALID_FILING, type ClientFixture, type StaffFixture } from '../support/http';

const CODEC_KEYS = `test-2026:${crypto.randomBytes(32).toString('base64')},test-2025:${crypto.randomBytes(32).toString('base64')}`;

interface Run {
  env: SeparateEnv;
  client: ClientFixture;
  staff: StaffFixture;
  dbFile: string;
  /** Distinctive texts that only ever travel inside instructions and comments. */
  secrets: string[];
  number: string;
}

/** Files a request, sends it back for correction with new instructions, and takes it to CLOSED. */
async function runRequestLifecycle(vars: Record<string, string>): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rhs-codec-'));
  const dbFile = path.join(dir, 'temporal.db');
  const env = await startSeparateEnv({ dbFile, vars });
  const client = await createClient(env);
  const staff = await createStaff(env);
  const tag = crypto.randomBytes(6).toString('hex');
  const secrets = [`cage-7 badge PIN ${tag}-first`, `console password ${tag}-second`, `modify: also reseat ${tag}-third`];

  const filed = await fileRequest(env, client.authorized, { ...VALID_FILING, instructions: `Open ${secrets[0]} and reboot r12-u7.` });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const id = filed.body.id as string;
  const steps: [string, string, Record<string, unknown>, string][] = [
    [staff.operator, 'validation', { decision: 'incomplete', reason: 'Which console?' }, 'AWAITING_CORRECTION'],
    [client.authorized, 'correction', { comment: 'the serial console', instructions: `Use ${secrets[1]} on the serial console.` }, 'IN_VALIDATION'],
    [staff.operator, 'validation', { decision: 'approve' }, 'APPROVED'],
    [staff.operator, 'start', {}, 'IN_EXECUTION'],
    [staff.operator, 'report', { actionsPerformed: 'Rebooted; LED green.' }, 'AWAITING_CONFIRMATION'],
    [client.authorized, 'confirmation', { decision: 'modify', instructions: secrets[2] }, 'MODIFICATION_REQUESTED'],
  ];
  for (const [token, action, body, expected] of steps) {
    const result = await act(env, token, id, action, body);
    assert.equal(result.status, 200, `${action}: ${JSON.stringify(result.body)}`);
    assert.equal(result.body.status, expected);
  }
  return { env, client, staff, dbFile, secrets, number: filed.body.number };
}

/** The dev server's database as stored: the main file and, if still there, its write-ahead log. */
function temporalDbBytes(dbFile: string): Buffer {
  const files = [dbFile, `${dbFile}-wal`].filter((f) => fs.existsSync(f));
  assert.ok(files.includes(dbFile), `the dev server wrote no database file at ${dbFile}`);
  return Buffer.concat(files.map((f) => fs.readFileSync(f)));
}

async function firstEventPayloads(env: SeparateEnv, number: string): Promise<temporal.api.common.v1.IPayload[]> {
  // The raw service: payloads exactly as Temporal stores them (the client would decode them).
  const history = await env.temporal.workflowService.getWorkflowExecutionHistory({
    namespace: env.config.temporal.namespace,
    execution: { workflowId: requestWorkflowId(number) },
  });
  return history.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
}

const asJson = (payloads: temporal.api.common.v1.IPayload[]) => ({
  payloads: payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  })),
});

describe('payload encryption (RHS_CODEC_KEYS): Temporal never stores instruction text in clear', function () {
  this.timeout(180_000);

  describe('with codec keys', () => {
    let run: Run;
    let encryptedInput: ReturnType<typeof asJson>;

    before(async function () {
      this.timeout(180_000);
      run = await runRequestLifecycle({ RHS_CODEC_KEYS: CODEC_KEYS });
      encryptedInput = asJson(await firstEventPayloads(run.env, run.number));
    });

    after(async () => {
      await run?.env.stop();
      if (run) fs.rmSync(path.dirname(run.dbFile), { recursive: true, force: true });
    });

    it('the workflow input in Temporal is binary/encrypted under the active key id', () => {
      assert.ok(encryptedInput.payloads.length > 0);
      for (const payload of encryptedInput.payloads) {
        assert.equal(Buffer.from(payload.metadata.encoding, 'base64').toString(), 'binary/encrypted');
        assert.equal(Buffer.from(payload.metadata['encryption-key-id'], 'base64').toString(), 'test-2026');
      }
    });

    it('the codec endpoint decodes for an operator, refuses a client user (403) and a call without token (401)', async () => {
      const decoded = await call(run.env, 'POST', '/codec/decode', { token: run.staff.operator, body: encryptedInput, headers: { 'x-namespace': 'default' } });
      assert.equal(decoded.status, 200, JSON.stringify(decoded.body));
      const input = JSON.parse(Buffer.from(decoded.body.payloads[0].data, 'base64').toString('utf8'));
      assert.match(JSON.stringify(input), new RegExp(run.secrets[0]));
      assert.equal(Buffer.from(decoded.body.payloads[0].metadata.encoding, 'base64').toString(), 'json/plain');

      const byClient = await call(run.env, 'POST', '/codec/decode', { token: run.client.authorized, body: encryptedInput });
      assert.equal(byClient.status, 403);
      assert.equal(byClient.headers.get('content-type')?.split(';')[0], 'application/problem+json');
      assert.doesNotMatch(JSON.stringify(byClient.body), new RegExp(run.secrets[0]));

      const anonymous = await call(run.env, 'POST', '/codec/decode', { body: encryptedInput });
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers.get('content-type')?.split(';')[0], 'application/problem+json');
    });

    it('the codec endpoint encodes what it decodes, and names a payload it cannot decrypt', async () => {
      const clear = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"hello"').toString('base64') }] };
      const encoded = await call(run.env, 'POST', '/codec/encode', { token: run.staff.slaManager, body: clear });
      assert.equal(encoded.status, 200, JSON.stringify(encoded.body));
      assert.notEqual(encoded.body.payloads[0].data, clear.payloads[0].data);
      const roundTrip = await call(run.env, 'POST', '/codec/decode', { token: run.env.adminToken, body: encoded.body });
      assert.deepEqual(roundTrip.body, clear);

      const foreign = { payloads: [{ ...encoded.body.payloads[0], metadata: { ...encoded.body.payloads[0].metadata, 'encryption-key-id': Buffer.from('retired-key').toString('base64') } }] };
      const refused = await call(run.env, 'POST', '/codec/decode', { token: run.staff.operator, body: foreign });
      assert.equal(refused.status, 400);
      assert.match(refused.body.detail, /unknown key id "retired-key"/);

      const otherNamespace = await call(run.env, 'POST', '/codec/decode', { token: run.staff.operator, body: clear, headers: { 'x-namespace': 'someone-else' } });
      assert.equal(otherNamespace.status, 400);
      const malformed = await call(run.env, 'POST', '/codec/decode', { token: run.staff.operator, body: { payloads: [{ data: 'not base64!' }] } });
      assert.equal(malformed.status, 400);
      assert.deepEqual(malformed.body.errors.map((e: { path: string }) => e.path), ['payloads[0].data']);
    });

    it('answers the Temporal UI preflight for its origin only', async () => {
      const preflight = await call(run.env, 'OPTIONS', '/codec/decode', {
        headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:8233');
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/i);
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Namespace/i);

      const stranger = await call(run.env, 'OPTIONS', '/codec/decode', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      assert.equal(stranger.headers.get('access-control-allow-origin'), null);
    });

    it('DONE-WHEN: after the dev server stops, its database file contains none of the instruction texts', async () => {
      await run.env.stop();
      const bytes = temporalDbBytes(run.dbFile);
      for (const secret of run.secrets) assert.ok(!bytes.includes(Buffer.from(secret, 'utf8')), `"${secret}" is in the Temporal database in clear`);
    });
  });

  describe('control: without codec keys', () => {
    it('the same run leaves the instruction texts in the database file in clear (so the check above can fail)', async function () {
      this.timeout(180_000);
      const run = await runRequestLifecycle({});
      try {
        await run.env.stop();
        const bytes = temporalDbBytes(run.dbFile);
        for (const secret of run.secrets) assert.ok(bytes.includes(Buffer.from(secret, 'utf8')), `"${secret}" not found in clear: the control shows nothing`);
      } finally {
        await run.env.stop();
        fs.rmSync(path.dirname(run.dbFile), { recursive: true, force: true });
      }
    });
  });
});
