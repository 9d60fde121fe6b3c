/**
 * The API's security basics, each proven through the running API: tokens hashed at rest, nothing
 * sensitive in the logs, a rate limit per token, the standard security headers.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { hashToken, rateLimit } from '../../api/auth';
import { startApi } from '../../api/server';
import { createDb } from '../../db/connection';
import { createLogger, silentLogger } from '../../runtime/logger';
import { startApiVariant, testEnv, type TestEnv } from '../support/env';
import { act, call, createClient, createStaff, createUser, fileRequest, VALID_FILING, type ClientFixture, type StaffFixture } from '../support/http';

const SECURITY_HEADERS: Record<string, string | RegExp> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': /default-src 'none'.*frame-ancestors 'none'/,
  'strict-transport-security': /max-age=\d+/,
  'cache-control': 'no-store',
};

describe('API security', function () {
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

  it('stores tokens only as SHA-256 hashes', async () => {
    const user = await createUser(env, env.adminToken, { role: 'operator_l1' });
    const row = await env.db('users').where({ id: user.id }).first();
    assert.equal(row.token_hash, hashToken(user.token));
    const stored = JSON.stringify(await env.db('users').select());
    assert.ok(!stored.includes(user.token), 'a token is stored in clear');
    const me = await call(env, 'GET', '/v1/me', { token: user.token });
    assert.equal(me.status, 200);
    assert.equal(me.body.token, undefined, 'the token is shown again after creation');
  });

  it('logs no token, instruction text or e-mail address while users are created and a request is filed and handled', async () => {
    const lines: string[] = [];
    const api = await startApiVariant(env, {}, createLogger('api', 'debug', (line) => lines.push(line)));
    try {
      const viaApi = { ...env, apiUrl: api.apiUrl };
      const email = `jane.doe.${crypto.randomBytes(4).toString('hex')}@client.example`;
      const created = await call(viaApi, 'POST', '/v1/users', { token: client.authorizer, body: { name: 'Jane Doe', email, role: 'client_authorized' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const userToken: string = created.body.token;
      const instructions = `Door code ${crypto.randomBytes(4).toString('hex')}, then power-cycle r12-u7.`;

      const filed = await fileRequest(viaApi, userToken, { ...VALID_FILING, instructions }, { 'Idempotency-Key': `k-${crypto.randomUUID()}` });
      assert.equal(filed.status, 201, JSON.stringify(filed.body));
      const refused = await fileRequest(viaApi, userToken, { ...VALID_FILING, instructions, priority: 'whenever' });
      assert.equal(refused.status, 400);
      assert.equal((await act(viaApi, staff.operator, filed.body.id, 'validation', { decision: 'incomplete', reason: `Re: ${instructions}` })).status, 200);
      assert.equal((await call(viaApi, 'GET', `/v1/requests?site=${encodeURIComponent(instructions)}`, { token: staff.operator })).status, 200);
      assert.equal((await call(viaApi, 'GET', '/v1/me', { token: 'rhs_not-a-real-token' })).status, 401);

      const log = lines.join('\n');
      assert.ok(lines.length >= 6, `expected a log line per call, got ${lines.length}`);
      assert.match(log, /"status":201/, 'the calls were not logged at all');
      for (const [what, secret] of [
        ['the new user token', userToken],
        ['the client authorizer token', client.authorizer],
        ['the operator token', staff.operator],
        ['the rejected token', 'rhs_not-a-real-token'],
        ['the instruction text', instructions],
        ['the e-mail address', email],
        ['the e-mail address, URL-encoded', encodeURIComponent(email)],
      ]) {
        assert.ok(!log.includes(secret), `${what} appears in the API log`);
      }
    } finally {
      await api.close();
    }
  });

  it('answers 429 problem+json past the per-token limit, with Retry-After, and counts each token on its own, with one budget across /v1 and /codec', async () => {
    const limited = await startApiVariant(env, { RHS_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const viaApi = { apiUrl: limited.apiUrl };
      for (let i = 0; i < 3; i += 1) assert.equal((await call(viaApi, 'GET', '/v1/me', { token: client.authorized })).status, 200);
      const over = await call(viaApi, 'GET', '/v1/me', { token: client.authorized });
      assert.equal(over.status, 429);
      assert.equal(over.headers.get('content-type')?.split(';')[0], 'application/problem+json');
      assert.equal(over.body.status, 429);
      assert.ok(Number(over.headers.get('retry-after')) > 0);
      assert.equal((await call(viaApi, 'GET', '/v1/me', { token: staff.operator })).status, 200, 'another token was limited too');

      // The codec endpoint is limited the same way.
      const decode = (token: string) => call(viaApi, 'POST', '/codec/decode', { token, body: { payloads: [] } });
      for (let i = 0; i < 3; i += 1) assert.equal((await decode(staff.slaManager)).status, 200);
      assert.equal((await decode(staff.slaManager)).status, 429);

      // One budget per token across /v1 and /codec, both ways: the operator spent 1 of its 3 calls on /v1 above,
      // the SLA manager all of its 3 on /codec.
      assert.equal((await decode(staff.operator)).status, 200);
      assert.equal((await decode(staff.operator)).status, 200);
      assert.equal((await decode(staff.operator)).status, 429, '/codec counted the token apart from /v1');
      assert.equal((await call(viaApi, 'GET', '/v1/me', { token: staff.slaManager })).status, 429, '/v1 counted the token apart from /codec');
    } finally {
      await limited.close();
    }
  });

  it('no call waits past the API timeout on a database that accepts connections but never answers, /codec included', async () => {
    // A database server that accepts the connection and then says nothing: authentication hangs on it.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const db = createDb({ url: `postgres://rhs@127.0.0.1:${(silent.address() as AddressInfo).port}/silent` });
    const timeoutMs = 1000;
    // Its pool gives up on a connection after 10 s: well past the timeout, so only the timeout can answer in time.
    const api = await startApi({ db, temporal: env.temporal, config: { ...env.config, api: { ...env.config.api, requestTimeoutMs: timeoutMs } }, logger: silentLogger }, 0);
    try {
      const viaApi = { apiUrl: api.url };
      // Made-up tokens: none is the bootstrap admin's, so each one is looked up in the database.
      const calls: Record<string, () => ReturnType<typeof call>> = {
        'POST /codec/decode': () => call(viaApi, 'POST', '/codec/decode', { token: 'rhs_looked-up-in-the-database', body: { payloads: [] } }),
        'POST /codec/session': () => call(viaApi, 'POST', '/codec/session', { rawBody: new URLSearchParams({ token: 'rhs_signing-in' }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
        'GET /v1/me': () => call(viaApi, 'GET', '/v1/me', { token: 'rhs_looked-up-in-the-database' }),
      };
      const answers = await Promise.all(Object.entries(calls).map(async ([label, run]) => {
        const started = Date.now();
        const answer = await run();
        return { label, answer, ms: Date.now() - started };
      }));
      for (const { label, answer, ms } of answers) {
        assert.equal(answer.status, 503, `${label}: ${answer.status} ${JSON.stringify(answer.body)}`);
        assert.equal(answer.headers.get('content-type')?.split(';')[0], 'application/problem+json', label);
        assert.ok(ms < timeoutMs + 3000, `${label} answered after ${ms} ms, past the ${timeoutMs} ms timeout`);
      }
    } finally {
      await api.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
      await db.destroy();
    }
  });

  it('a flood of made-up tokens does not reset the window of a real one', () => {
    const limiter = rateLimit(2);
    // A minimal stand-in for express's request/response: the limiter reads one header and the IP.
    const request = (authorization: string, ip = '198.51.100.7') => ({ get: (name: string) => (name.toLowerCase() === 'authorization' ? authorization : undefined), ip }) as unknown as Request;
    const response = { set: () => undefined } as unknown as Response;
    const outcome = (authorization: string, ip?: string) => {
      let result: unknown = 'not called';
      limiter(request(authorization, ip), response, ((error?: unknown) => { result = error; }) as NextFunction);
      return result;
    };
    const real = 'Bearer rhs_real';
    assert.equal(outcome(real), undefined);
    assert.equal(outcome(real), undefined);
    assert.equal((outcome(real) as { status?: number } | undefined)?.status, 429);
    for (let i = 0; i < 10_050; i += 1) outcome(`Bearer rhs_fake_${i}`, '203.0.113.9');
    assert.equal((outcome(real) as { status?: number } | undefined)?.status, 429, 'the flood reset the real token window');
    // Past the table's size, new made-up tokens are counted under their IP address, so they are limited too.
    assert.equal((outcome('Bearer rhs_fake_new', '203.0.113.9') as { status?: number } | undefined)?.status, 429);
  });

  it('sends the standard security headers on every kind of answer', async () => {
    const answers = {
      'GET /healthz': await call(env, 'GET', '/healthz'),
      'GET /v1/me': await call(env, 'GET', '/v1/me', { token: staff.operator }),
      'GET /v1/me without token (401)': await call(env, 'GET', '/v1/me'),
      'GET /v1/nowhere (404)': await call(env, 'GET', '/v1/nowhere', { token: staff.operator }),
      'POST /codec/decode': await call(env, 'POST', '/codec/decode', { token: staff.operator, body: { payloads: [] } }),
      'GET /openapi.json': await call(env, 'GET', '/openapi.json'),
    };
    for (const [label, answer] of Object.entries(answers)) {
      for (const [header, expected] of Object.entries(SECURITY_HEADERS)) {
        const value = answer.headers.get(header) ?? '';
        if (typeof expected === 'string') assert.equal(value, expected, `${label}: ${header}`);
        else assert.match(value, expected, `${label}: ${header}`);
      }
      assert.equal(answer.headers.get('x-powered-by'), null, `${label}: x-powered-by`);
    }
  });

  it('documents the codec endpoint in the OpenAPI document', async () => {
    const { body } = await call(env, 'GET', '/openapi.json');
    for (const path of ['/codec/encode', '/codec/decode']) {
      assert.ok(body.paths[path]?.post, `${path} missing`);
      assert.deepEqual(body.paths[path].post['x-roles'], ['operator_l1', 'sla_manager', 'admin']);
    }
  });

  it('staff sign in to the codec endpoint from a browser; the Temporal UI then decodes with the cookie, until the user is revoked', async () => {
    const form = await call(env, 'GET', '/codec/session');
    assert.equal(form.status, 200);
    assert.match(form.headers.get('content-type') ?? '', /text\/html/);
    const signIn = (token: string) =>
      call(env, 'POST', '/codec/session', { rawBody: new URLSearchParams({ token }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal((await signIn('rhs_not-a-token')).status, 401);
    assert.equal((await signIn(client.authorized)).status, 403, 'a client user may not decode');

    const operator = await createUser(env, env.adminToken, { role: 'operator_l1' });
    const signedIn = await signIn(operator.token);
    assert.equal(signedIn.status, 200);
    const setCookie = signedIn.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^rhs_codec=/);
    for (const attribute of ['HttpOnly', 'SameSite=Strict', 'Path=/codec']) assert.ok(setCookie.includes(attribute), `cookie lacks ${attribute}: ${setCookie}`);
    const cookie = setCookie.split(';')[0];

    const payload = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"hello"').toString('base64') };
    const origin = env.config.api.codecCorsOrigins?.[0] ?? 'http://127.0.0.1:8233';
    const decode = () => call(env, 'POST', '/codec/decode', { body: { payloads: [payload] }, headers: { cookie, origin } });
    const decoded = await decode();
    assert.equal(decoded.status, 200, JSON.stringify(decoded.body));
    assert.equal(decoded.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(decoded.headers.get('access-control-allow-origin'), origin);
    assert.equal((await call(env, 'POST', '/codec/decode', { body: { payloads: [payload] }, headers: { origin } })).status, 401, 'no cookie, no token: refused');

    assert.equal((await call(env, 'DELETE', `/v1/users/${operator.id}`, { token: env.adminToken })).status, 200);
    assert.equal((await decode()).status, 401, 'a revoked user\'s session ends at once');
  });
});

