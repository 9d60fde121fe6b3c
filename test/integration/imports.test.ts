/** POST /v1/imports/requests: closed interventions carried over from the previous system (D1). */
import assert from 'node:assert/strict';
import { testEnv, type TestEnv } from '../support/env';
import { call, createClient, createStaff, type ClientFixture, type StaffFixture } from '../support/http';

describe('imports of closed interventions', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let client: ClientFixture;
  let staff: StaffFixture;

  before(async function () {
    this.timeout(120_000);
    env = await testEnv();
    client = await createClient(env);
    staff = await createStaff(env, [client.clientId]);
  });

  const item = (externalId: string, overrides: Record<string, unknown> = {}) => ({
    externalId,
    clientId: client.clientId,
    site: 'DC-2',
    summary: 'Replace PSU',
    instructions: 'Replace the left PSU of r4-u12.',
    priority: 'high',
    createdAt: '2020-03-02T10:00:00Z',
    closedAt: '2020-03-02T15:00:00Z',
    ...overrides,
  });
  const importing = (requests: unknown[], token = env.adminToken) => call(env, 'POST', '/v1/imports/requests', { token, body: { requests } });

  it('R1: request numbers have six digits at least and stay unique past RHS-999999', async () => {
    const { rows } = await env.db.raw<{ rows: { n: string }[] }>('select rhs_request_number(v) as n from unnest(?::bigint[]) as v', [[42, 999999, 1000000, 12345678]]);
    assert.deepEqual(rows.map((r) => r.n), ['RHS-000042', 'RHS-999999', 'RHS-1000000', 'RHS-12345678']);
  });

  it('D1: imported interventions are CLOSED requests with a number and an audit event; a repeat is skipped', async () => {
    const ids = [`x-${Date.now()}-1`, `x-${Date.now()}-2`];
    const first = await importing(ids.map((id) => item(id)));
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body, { imported: 2, skipped: 0, alreadyBilled: [] });
    const again = await importing([...ids.map((id) => item(id)), item(`x-${Date.now()}-3`)]);
    assert.deepEqual(again.body, { imported: 1, skipped: 2, alreadyBilled: [] });

    const row = await env.db('requests').where({ external_id: ids[0] }).first();
    assert.equal(row.status, 'CLOSED');
    assert.equal(row.closure, 'imported');
    assert.match(row.number, /^RHS-\d{6}$/);
    assert.equal(row.closed_at.toISOString(), '2020-03-02T15:00:00.000Z');
    const read = await call(env, 'GET', `/v1/requests/${row.id}`, { token: staff.operator });
    assert.equal(read.status, 200);
    assert.deepEqual(read.body.events.map((e: { type: string }) => e.type), ['imported']);
    assert.equal(read.body.externalId, ids[0]);
  });

  it('D1: interventions imported into a month already billed are stored and reported as not on its statements', async () => {
    const period = '2020-05';
    await env.db('billing_runs').insert({ period, status: 'COMPLETED', workflow_id: `rhs-billing-${period}`, time_zone: 'UTC', started_at: new Date(), completed_at: new Date() });
    const late = [item(`late-${Date.now()}-1`, { createdAt: '2020-05-30T10:00:00Z', closedAt: '2020-05-31T23:30:00Z' }), item(`late-${Date.now()}-2`, { createdAt: '2020-05-03T10:00:00Z', closedAt: '2020-05-04T10:00:00Z' })];
    const result = await importing([...late, item(`late-${Date.now()}-3`)]);
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.deepEqual(result.body, { imported: 3, skipped: 0, alreadyBilled: [{ period, interventions: 2 }] });
    // Repeated, nothing is imported, so nothing more is reported.
    assert.deepEqual((await importing(late)).body, { imported: 0, skipped: 2, alreadyBilled: [] });
  });

  it('every item is validated, with its path; an unknown client is 400; nothing is written then', async () => {
    const marker = `bad-${Date.now()}`;
    const items = [item(`${marker}-0`), item(`${marker}-1`), item(`${marker}-2`), item(`${marker}-3`, { closedAt: 'yesterday' }), item(`${marker}-4`, { clientId: 'no-such-client' })];
    const result = await importing(items);
    assert.equal(result.status, 400);
    const paths = result.body.errors.map((e: { path: string }) => e.path);
    assert.ok(paths.includes('requests[3].closedAt'), JSON.stringify(paths));
    const unknown = await importing([item(`${marker}-5`, { clientId: 'no-such-client' })]);
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.errors.map((e: { path: string }) => e.path), ['requests[0].clientId']);
    const closedBeforeFiled = await importing([item(`${marker}-6`, { createdAt: '2020-03-03T00:00:00Z' })]);
    assert.deepEqual(closedBeforeFiled.body.errors.map((e: { path: string }) => e.path), ['requests[0].closedAt']);
    const missing = await importing([{ ...item(`${marker}-7`), instructions: undefined }]);
    assert.deepEqual(missing.body.errors.map((e: { path: string }) => e.path), ['requests[0].instructions']);
    assert.equal((await env.db('requests').where('external_id', 'like', `${marker}%`)).length, 0);
  });

  it('only the admin imports', async () => {
    assert.equal((await importing([item(`y-${Date.now()}`)], staff.slaManager)).status, 403);
    assert.equal((await importing([item(`y-${Date.now()}`)], client.authorizer)).status, 403);
  });

  it('at most 5000 items per call', async () => {
    const result = await importing(Array.from({ length: 5001 }, () => ({})));
    // 5001 empty items fit in the default body limit: the count is what is refused.
    assert.equal(result.status, 400);
    assert.deepEqual(result.body.errors.map((e: { path: string }) => e.path), ['requests']);
  });

  it('a full batch of 5000 items (far above the API\'s usual body limit) imports in one call', async () => {
    const marker = `full-${Date.now()}`;
    const batch = Array.from({ length: 5000 }, (_, i) => item(`${marker}-${i}`));
    assert.ok(JSON.stringify({ requests: batch }).length > 64 * 1024);
    const result = await importing(batch);
    assert.equal(result.status, 200, JSON.stringify(result.body).slice(0, 500));
    assert.deepEqual(result.body, { imported: 5000, skipped: 0, alreadyBilled: [] });
  });
});
