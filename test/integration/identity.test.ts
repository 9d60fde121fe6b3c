/**
 * Identity and visibility (api.md "Bootstrap and identity", "RHS requests" listing): who creates whom,
 * tokens stored only as hashes, revocation at once, and each role seeing only the requests it may see.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { testEnv, type TestEnv } from '../support/env';
import { act, call, createClient, createStaff, createUser, fileRequest, VALID_FILING, type ClientFixture, type HttpResult } from '../support/http';

const sha256 = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
const email = () => `${crypto.randomBytes(4).toString('hex')}@example.test`;

describe('identity and visibility', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let clientA: ClientFixture;
  let clientB: ClientFixture;

  before(async function () {
    this.timeout(120_000);
    env = await testEnv();
    clientA = await createClient(env);
    clientB = await createClient(env);
  });

  const newUser = (token: string, body: Record<string, unknown>) => call(env, 'POST', '/v1/users', { token, body: { name: 'Someone', email: email(), ...body } });
  const errorPaths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

  it('Identity: the admin creates users of every role; client roles need a known clientId, other roles take none', async () => {
    for (const role of ['client_authorizer', 'client_authorized']) {
      const created = await newUser(env.adminToken, { role, clientId: clientA.clientId });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.clientId, clientA.clientId);
      assert.match(created.body.token, /\S{20,}/);
    }
    for (const role of ['operator_l1', 'sla_manager', 'admin']) {
      const created = await newUser(env.adminToken, { role });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.clientId, null);
    }
    const executive = await newUser(env.adminToken, { role: 'account_executive', clientIds: [clientA.clientId, clientB.clientId] });
    assert.equal(executive.status, 201);
    assert.deepEqual([...executive.body.clientIds].sort(), [clientA.clientId, clientB.clientId].sort());

    const noClient = await newUser(env.adminToken, { role: 'client_authorized' });
    assert.equal(noClient.status, 400);
    assert.deepEqual(errorPaths(noClient.body), ['clientId']);
    const unknownClient = await newUser(env.adminToken, { role: 'client_authorizer', clientId: crypto.randomUUID() });
    assert.equal(unknownClient.status, 400);
    assert.deepEqual(errorPaths(unknownClient.body), ['clientId']);
    const staffWithClient = await newUser(env.adminToken, { role: 'operator_l1', clientId: clientA.clientId });
    assert.equal(staffWithClient.status, 400);
    const blankName = await newUser(env.adminToken, { role: 'operator_l1', name: '  ' });
    assert.equal(blankName.status, 400);
    assert.deepEqual(errorPaths(blankName.body), ['name']);
  });

  it('Identity: a client_authorizer creates only client_authorized users of its own client', async () => {
    const own = await newUser(clientA.authorizer, { role: 'client_authorized' });
    assert.equal(own.status, 201, JSON.stringify(own.body));
    assert.equal(own.body.clientId, clientA.clientId, 'the authorizer’s client is implied');
    const explicit = await newUser(clientA.authorizer, { role: 'client_authorized', clientId: clientA.clientId });
    assert.equal(explicit.status, 201);
    const otherClient = await newUser(clientA.authorizer, { role: 'client_authorized', clientId: clientB.clientId });
    assert.equal(otherClient.status, 403);
    for (const role of ['client_authorizer', 'operator_l1', 'admin', 'account_executive', 'sla_manager']) {
      const refused = await newUser(clientA.authorizer, { role });
      assert.equal(refused.status, 403, `${role}: ${JSON.stringify(refused.body)}`);
    }
    const staff = await createStaff(env);
    for (const token of [clientA.authorized, staff.operator, staff.slaManager, staff.accountExecutive]) {
      assert.equal((await newUser(token, { role: 'client_authorized', clientId: clientA.clientId })).status, 403);
    }
  });

  it('Identity: a token is shown once and stored only as its hash', async () => {
    const created = await newUser(env.adminToken, { role: 'operator_l1' });
    const token: string = created.body.token;
    const row = await env.db('users').where({ id: created.body.id }).first();
    assert.equal(row.token_hash, sha256(token));
    const everyUser = JSON.stringify(await env.db('users').select('*'));
    assert.ok(!everyUser.includes(token), 'a plain token is stored in users');
    const me = await call(env, 'GET', '/v1/me', { token });
    assert.equal(me.status, 200);
    assert.ok(!JSON.stringify(me.body).includes(token), '/v1/me shows the token again');
    assert.equal(me.body.token, undefined);
  });

  it('Identity: GET /v1/me answers the caller; no token or a bad one is 401', async () => {
    const executive = await createUser(env, env.adminToken, { role: 'account_executive', clientIds: [clientB.clientId] });
    const meExecutive = await call(env, 'GET', '/v1/me', { token: executive.token });
    assert.equal(meExecutive.status, 200);
    assert.equal(meExecutive.body.id, executive.id);
    assert.equal(meExecutive.body.role, 'account_executive');
    assert.deepEqual(meExecutive.body.clientIds, [clientB.clientId]);
    const meClient = await call(env, 'GET', '/v1/me', { token: clientA.authorizer });
    assert.equal(meClient.body.id, clientA.authorizerId);
    assert.equal(meClient.body.clientId, clientA.clientId);
    assert.equal((await call(env, 'GET', '/v1/me', { token: env.adminToken })).body.role, 'admin');
    assert.equal((await call(env, 'GET', '/v1/me')).status, 401);
    assert.equal((await call(env, 'GET', '/v1/me', { token: 'rhs_not-a-real-token' })).status, 401);
  });

  it('Identity: DELETE /v1/users/{id} revokes at once: the very next call with that token is 401', async () => {
    const operator = await createUser(env, env.adminToken, { role: 'operator_l1' });
    assert.equal((await call(env, 'GET', '/v1/me', { token: operator.token })).status, 200);
    const revoked = await call(env, 'DELETE', `/v1/users/${operator.id}`, { token: env.adminToken });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.ok(revoked.body.revokedAt);
    assert.equal((await call(env, 'GET', '/v1/me', { token: operator.token })).status, 401);
    assert.equal((await call(env, 'GET', '/v1/requests', { token: operator.token })).status, 401);

    // An authorizer revokes its own client's authorized users, and nobody else.
    const ownUser = await createUser(env, clientA.authorizer, { role: 'client_authorized' });
    const otherUser = await createUser(env, clientB.authorizer, { role: 'client_authorized' });
    assert.equal((await call(env, 'DELETE', `/v1/users/${otherUser.id}`, { token: clientA.authorizer })).status, 404);
    assert.equal((await call(env, 'GET', '/v1/me', { token: otherUser.token })).status, 200, 'a refused revocation revoked');
    const peerAuthorizer = await createUser(env, env.adminToken, { role: 'client_authorizer', clientId: clientA.clientId });
    assert.equal((await call(env, 'DELETE', `/v1/users/${peerAuthorizer.id}`, { token: clientA.authorizer })).status, 404);
    assert.equal((await call(env, 'DELETE', `/v1/users/${ownUser.id}`, { token: clientA.authorized })).status, 403);
    assert.equal((await call(env, 'DELETE', `/v1/users/${ownUser.id}`, { token: clientA.authorizer })).status, 200);
    assert.equal((await fileRequest(env, ownUser.token)).status, 401);
    assert.equal((await call(env, 'DELETE', `/v1/users/${crypto.randomUUID()}`, { token: env.adminToken })).status, 404);
  });

  it('Visibility: an account executive sees the requests of the clients it covers, and 404 for the others', async () => {
    const covered = await createClient(env);
    const uncovered = await createClient(env);
    const executive = await createUser(env, env.adminToken, { role: 'account_executive', clientIds: [covered.clientId] });
    const { body: mine } = await fileRequest(env, covered.authorized);
    const { body: theirs } = await fileRequest(env, uncovered.authorized);

    assert.equal((await call(env, 'GET', `/v1/requests/${mine.id}`, { token: executive.token })).status, 200);
    assert.equal((await call(env, 'GET', `/v1/requests/${theirs.id}`, { token: executive.token })).status, 404);
    const listed = await call(env, 'GET', '/v1/requests?limit=200', { token: executive.token });
    assert.equal(listed.status, 200);
    assert.ok(listed.body.items.length > 0);
    assert.ok(listed.body.items.every((r: { clientId: string }) => r.clientId === covered.clientId), 'an uncovered client’s request is listed');
    assert.ok(listed.body.items.some((r: { id: string }) => r.id === mine.id));
    const asked = await call(env, 'GET', `/v1/requests?clientId=${uncovered.clientId}`, { token: executive.token });
    assert.equal(asked.status, 200);
    assert.deepEqual(asked.body.items, []);
  });

  it('Visibility: a client user lists only its own client’s requests, even when it asks for another client', async () => {
    const own = await createClient(env);
    const other = await createClient(env);
    const { body: ownRequest } = await fileRequest(env, own.authorizer);
    await fileRequest(env, other.authorized);
    const listed = await call(env, 'GET', '/v1/requests?limit=200', { token: own.authorized });
    assert.deepEqual(listed.body.items.map((r: { id: string }) => r.id), [ownRequest.id]);
    const asked = await call(env, 'GET', `/v1/requests?clientId=${other.clientId}`, { token: own.authorized });
    assert.deepEqual(asked.body.items, []);
  });

  it('Listing: cursor pagination over more requests than the limit, with status, site and from/to filters, returns each request exactly once', async () => {
    const own = await createClient(env);
    const staff = await createStaff(env);
    const filed: { id: string; site: string; createdAt: string; status: string }[] = [];
    for (let i = 0; i < 9; i += 1) {
      const site = i % 3 === 0 ? 'DC-2' : 'DC-1';
      const { body } = await fileRequest(env, own.authorized, { ...VALID_FILING, site, summary: `Task ${i}` });
      let status = body.status;
      if (i % 2 === 0) status = (await act(env, staff.operator, body.id, 'validation', { decision: 'approve' })).body.status;
      filed.push({ id: body.id, site, createdAt: body.createdAt, status });
    }
    const newestFirst = [...filed].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));

    async function allPages(filter: string, limit: number): Promise<string[]> {
      const ids: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 50; page += 1) {
        const query: string = `/v1/requests?clientId=${own.clientId}&limit=${limit}${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const result: HttpResult<{ items: { id: string }[]; nextCursor: string | null }> = await call(env, 'GET', query, { token: staff.operator });
        assert.equal(result.status, 200, JSON.stringify(result.body));
        assert.ok(result.body.items.length <= limit);
        ids.push(...result.body.items.map((r) => r.id));
        cursor = result.body.nextCursor;
        if (!cursor) return ids;
      }
      throw new Error('pagination did not end');
    }
    const expectIds = (keep: (r: (typeof filed)[number]) => boolean) => newestFirst.filter(keep).map((r) => r.id);

    assert.deepEqual(await allPages('', 2), expectIds(() => true));
    assert.deepEqual(await allPages('&status=APPROVED', 2), expectIds((r) => r.status === 'APPROVED'));
    assert.deepEqual(await allPages('&status=IN_VALIDATION&site=DC-1', 1), expectIds((r) => r.status === 'IN_VALIDATION' && r.site === 'DC-1'));
    const from = filed[2].createdAt;
    const to = filed[7].createdAt;
    assert.deepEqual(
      await allPages(`&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, 2),
      expectIds((r) => r.createdAt >= from && r.createdAt < to),
    );
    assert.deepEqual(await allPages('&site=DC-2', 200), expectIds((r) => r.site === 'DC-2'));

    const bad = await call(env, 'GET', '/v1/requests?cursor=not-a-cursor', { token: staff.operator });
    assert.equal(bad.status, 400);
    assert.deepEqual(errorPaths(bad.body), ['cursor']);
    // Well-formed cursors with values PostgreSQL cannot take: a year it cannot store, a NUL in the id.
    for (const forged of [{ c: '-100000-01-01T00:00:00Z', i: 'x' }, { c: '2025-01-01T00:00:00Z', i: '\u0000' }, { c: '2025-01-01T00:00:00Z', i: 7 }]) {
      const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
      const answer = await call(env, 'GET', `/v1/requests?cursor=${cursor}`, { token: staff.operator });
      assert.equal(answer.status, 400, `${JSON.stringify(forged)}: ${JSON.stringify(answer.body)}`);
      assert.deepEqual(errorPaths(answer.body), ['cursor']);
    }
    const badLimit = await call(env, 'GET', '/v1/requests?limit=0', { token: staff.operator });
    assert.equal(badLimit.status, 400);
  });
});
