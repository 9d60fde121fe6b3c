/**
 * Issue "Authorization matrix": every route × every role (and no token at all) × own and foreign client
 * gets exactly the contract's answer (api.md: 401 no token, 403 role not allowed, 404 another client's
 * resource; docs/security.md for the codec endpoint: staff only), and no answer to a client-scoped caller
 * carries anything of the foreign client.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { callApi, type ApiAnswer } from './support/api-client';
import { prepareBillingMonth, waitUntil } from './support/billing-fixtures';
import { faultEnv, type FaultEnv } from './support/fault-env';
import { createUser, type ClientParty, type Party } from './support/fixtures';
import { operationsOf } from './support/hostile-generator';
import { failureOf, recordAuthorization } from './support/report';

const ROLES = ['client_authorizer', 'client_authorized', 'operator_l1', 'sla_manager', 'account_executive', 'admin'] as const;
type Role = (typeof ROLES)[number];
type Side = 'own' | 'foreign';
const CLIENT_ROLES: Role[] = ['client_authorizer', 'client_authorized'];
/** Who may decode and encode Temporal payloads (docs/security.md): staff who handle requests. */
const CODEC_ROLES: Role[] = ['operator_l1', 'sla_manager', 'admin'];
/** A caller without any token. */
const ANONYMOUS = 'no token';
type Caller = Role | typeof ANONYMOUS;
const PERIOD = '2025-05';

interface World {
  env: FaultEnv;
  a: ClientParty;
  b: ClientParty;
  actors: Record<Role, Party>;
  /** A fresh request of the side's client in IN_VALIDATION. */
  freshRequest(side: Side): Promise<{ id: string; number: string }>;
  shared: Record<Side, { id: string; number: string }>;
}

interface CellCall {
  method: string;
  path: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** False when the caller's token travels elsewhere (the codec sign-in form): no Bearer header. */
  bearer?: boolean;
}

interface Cell {
  route: string;
  expected: (role: Role, side: Side) => number[];
  /** The answer without any token; 401 unless the route is public. */
  anonymous?: number[];
  call: (w: World, caller: Caller, side: Side) => Promise<CellCall>;
}

/** Who may call, per api.md; a client-scoped caller gets 404 for the other client's resources. */
const scoped = (allowed: readonly Role[], okStatus: number[], ownOnly: Role[] = [...CLIENT_ROLES, 'account_executive']) =>
  (role: Role, side: Side): number[] => (!allowed.includes(role) ? [403] : side === 'foreign' && ownOnly.includes(role) ? [404] : okStatus);
const clientOf = (w: World, side: Side) => (side === 'own' ? w.a : w.b);

const requestAction = (action: string, roles: Role[], body: unknown, okStatus: number[]): Cell => ({
  route: `POST /v1/requests/{id}/${action}`,
  expected: scoped(roles, okStatus),
  call: async (w, caller, side) => ({
    method: 'POST',
    path: `/v1/requests/${(caller !== ANONYMOUS && okStatus.includes(200) && scoped(roles, okStatus)(caller, side).includes(200) ? await w.freshRequest(side) : w.shared[side]).id}/${action}`,
    body,
  }),
});

/** A payload in the codec protocol's JSON: json/plain "matrix" (without RHS_CODEC_KEYS both operations echo it). */
const CODEC_PAYLOAD = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"matrix"').toString('base64') };

const CELLS: Cell[] = [
  { route: 'GET /v1/me', expected: () => [200], call: async () => ({ method: 'GET', path: '/v1/me' }) },
  { route: 'POST /v1/clients', expected: scoped(['admin'], [201]), call: async () => ({ method: 'POST', path: '/v1/clients', body: { code: `M-${crypto.randomBytes(4).toString('hex')}`, name: 'Matrix' } }) },
  { route: 'GET /v1/clients/{id}', expected: (role, side) => (role === 'operator_l1' ? [404] : scoped(ROLES, [200])(role, side)), call: async (w, _r, side) => ({ method: 'GET', path: `/v1/clients/${clientOf(w, side).clientId}` }) },
  {
    route: 'POST /v1/users',
    expected: (role, side) => (role === 'admin' ? [201] : role === 'client_authorizer' ? (side === 'own' ? [201] : [403]) : [403]),
    call: async (w, _r, side) => ({ method: 'POST', path: '/v1/users', body: { name: 'Matrix user', email: 'm@matrix.example', role: 'client_authorized', clientId: clientOf(w, side).clientId } }),
  },
  {
    route: 'DELETE /v1/users/{id}',
    expected: (role, side) => (role === 'admin' ? [200] : role === 'client_authorizer' ? (side === 'own' ? [200] : [404]) : [403]),
    call: async (w, _r, side) => ({ method: 'DELETE', path: `/v1/users/${(await createUser(w.env.apiUrl, clientOf(w, side).authorizer.token, { role: 'client_authorized' })).id}` }),
  },
  { route: 'POST /v1/requests', expected: scoped(CLIENT_ROLES, [201], []), call: async () => ({ method: 'POST', path: '/v1/requests', body: { site: 'DC-M', summary: 'Matrix filing', instructions: 'Check the PDU.' } }) },
  { route: 'GET /v1/requests', expected: () => [200], call: async (w, _r, side) => ({ method: 'GET', path: `/v1/requests?clientId=${clientOf(w, side).clientId}` }) },
  { route: 'GET /v1/requests/{id}', expected: scoped(ROLES, [200]), call: async (w, _r, side) => ({ method: 'GET', path: `/v1/requests/${w.shared[side].id}` }) },
  requestAction('validation', ['operator_l1'], { decision: 'reject', reason: 'matrix' }, [200]),
  requestAction('start', ['operator_l1'], {}, [409]),
  requestAction('report', ['operator_l1'], { actionsPerformed: 'x' }, [409]),
  requestAction('correction', CLIENT_ROLES, { comment: 'x' }, [409]),
  requestAction('confirmation', CLIENT_ROLES, { decision: 'accept' }, [409]),
  requestAction('cancellation', CLIENT_ROLES, { reason: 'matrix' }, [200]),
  { route: 'POST /v1/billing/periods/{period}/run', expected: scoped(['sla_manager'], [200]), call: async () => ({ method: 'POST', path: `/v1/billing/periods/${PERIOD}/run` }) },
  { route: 'GET /v1/billing/periods/{period}', expected: scoped(['sla_manager', 'account_executive'], [200], []), call: async () => ({ method: 'GET', path: `/v1/billing/periods/${PERIOD}` }) },
  ...['', '/report.csv', '/report.html'].map((suffix): Cell => ({
    route: `GET /v1/billing/periods/{period}/statements/{clientId}${suffix}`,
    expected: scoped(['sla_manager', 'account_executive'], [200]),
    call: async (w, _r, side) => ({ method: 'GET', path: `/v1/billing/periods/${PERIOD}/statements/${clientOf(w, side).clientId}${suffix}` }),
  })),
  {
    route: 'POST /v1/billing/periods/{period}/statements/{clientId}/decision',
    // The first dispute succeeds; a repeat finds the statement DISPUTED (409): both prove the role may.
    expected: scoped(['account_executive'], [200, 409]),
    call: async (w, _r, side) => ({ method: 'POST', path: `/v1/billing/periods/${PERIOD}/statements/${clientOf(w, side).clientId}/decision`, body: { decision: 'dispute', reasons: 'matrix' } }),
  },
  {
    route: 'POST /v1/billing/periods/{period}/statements/{clientId}/revision',
    expected: scoped(['sla_manager'], [200, 409]),
    call: async (w, _r, side) => ({ method: 'POST', path: `/v1/billing/periods/${PERIOD}/statements/${clientOf(w, side).clientId}/revision`, body: { answer: 'matrix' } }),
  },
  ...['', '.csv', '.html'].map((suffix): Cell => ({
    route: `GET /v1/billing/periods/{period}/summary${suffix}`,
    expected: scoped(['sla_manager'], [200], []),
    call: async () => ({ method: 'GET', path: `/v1/billing/periods/${PERIOD}/summary${suffix}` }),
  })),
  { route: 'GET /v1/budget-operations', expected: scoped(['sla_manager', 'admin'], [200], []), call: async () => ({ method: 'GET', path: `/v1/budget-operations?period=${PERIOD}` }) },
  { route: 'POST /v1/imports/requests', expected: scoped(['admin'], [200], []), call: async () => ({ method: 'POST', path: '/v1/imports/requests', body: { requests: [] } }) },
  // The codec endpoint is not client-scoped: own and foreign are the same call.
  ...(['encode', 'decode'] as const).flatMap((action): Cell[] => [
    { route: `POST /codec/${action}`, expected: scoped(CODEC_ROLES, [200], []), call: async () => ({ method: 'POST', path: `/codec/${action}`, body: { payloads: [CODEC_PAYLOAD] } }) },
    // The browser's preflight carries no token and is answered before authentication.
    {
      route: `OPTIONS /codec/${action}`,
      expected: () => [204],
      anonymous: [204],
      call: async () => ({ method: 'OPTIONS', path: `/codec/${action}`, headers: { origin: 'http://127.0.0.1:8233', 'access-control-request-method': 'POST' } }),
    },
  ]),
  { route: 'GET /codec/session', expected: () => [200], anonymous: [200], call: async () => ({ method: 'GET', path: '/codec/session' }) },
  {
    // Staff sign in with their token in the form (no Bearer header): the cookie it sets is for decoding.
    route: 'POST /codec/session',
    expected: scoped(CODEC_ROLES, [200], []),
    call: async (w, caller) => ({
      method: 'POST',
      path: '/codec/session',
      rawBody: new URLSearchParams({ token: caller === ANONYMOUS ? '' : w.actors[caller].token }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      bearer: false,
    }),
  },
];

/** Everything of client B that must never reach a caller scoped to client A. */
function foreignMarkers(w: World): string[] {
  return [w.b.clientId, w.b.code, w.b.name, w.shared.foreign.id, w.shared.foreign.number];
}

describe('authorization matrix: every route × role × own and foreign client', function () {
  this.timeout(600_000);

  it('answers exactly as the contract says and never leaks the foreign client', async () => {
    const mismatches: string[] = [];
    const leaks: string[] = [];
    let cells = 0;
    let failure: unknown;
    try {
      const env = await faultEnv();
      // Two clients with a billing month under review, so the billing routes have statements to guard.
      const month = await prepareBillingMonth(env.apiUrl, env.adminToken, PERIOD, [7, 7]);
      const [a, b] = month.clients;
      const run = await callApi(env.apiUrl, { method: 'POST', path: `/v1/billing/periods/${PERIOD}/run`, token: month.slaManager.token, timeoutMs: 60_000 });
      assert.ok([200, 201].includes(run.status), JSON.stringify(run.body));
      await waitUntil(() => callApi(env.apiUrl, { method: 'GET', path: `/v1/billing/periods/${PERIOD}`, token: month.slaManager.token }), (r) => r.body?.status === 'IN_REVIEW', 'the review', 120_000);

      const actors: Record<Role, Party> = {
        client_authorizer: a.authorizer,
        client_authorized: a.authorized,
        operator_l1: await createUser(env.apiUrl, env.adminToken, { role: 'operator_l1' }),
        sla_manager: month.slaManager,
        account_executive: await createUser(env.apiUrl, env.adminToken, { role: 'account_executive', clientIds: [a.clientId] }),
        admin: { id: 'admin', token: env.adminToken },
      };
      const file = async (side: Side) => {
        const party = side === 'own' ? a : b;
        const filed = await callApi(env.apiUrl, { method: 'POST', path: '/v1/requests', token: party.authorized.token, body: { site: 'DC-M', summary: `Matrix ${side} ${party.code}`, instructions: 'Check the PDU.' } });
        assert.equal(filed.status, 201, JSON.stringify(filed.body));
        return { id: filed.body.id as string, number: filed.body.number as string };
      };
      const world: World = { env, a, b, actors, freshRequest: file, shared: { own: await file('own'), foreign: await file('foreign') } };

      // Every /v1 and /codec route the API serves must be in the table: a new route cannot slip past the matrix.
      const doc = await callApi(env.apiUrl, { method: 'GET', path: '/openapi.json' });
      const served = operationsOf(doc.body).filter((op) => op.path.startsWith('/v1/') || op.path.startsWith('/codec/')).map((op) => `${op.method} ${op.path}`);
      assert.ok(served.includes('POST /codec/decode'), 'the OpenAPI document lists the codec endpoint');
      const missing = served.filter((route) => !CELLS.some((cell) => cell.route === route));
      assert.deepEqual(missing, [], 'routes served but missing from the authorization matrix');

      for (const cell of CELLS) {
        for (const role of [...ROLES, ANONYMOUS] as Caller[]) {
          for (const side of ['own', 'foreign'] as Side[]) {
            const { method, path, body, rawBody, headers, bearer = true } = await cell.call(world, role, side);
            const token = role === ANONYMOUS || !bearer ? undefined : actors[role].token;
            const answer: ApiAnswer = await callApi(env.apiUrl, { method, path, body, rawBody, headers, token, timeoutMs: 30_000 });
            cells += 1;
            const expected = role === ANONYMOUS ? (cell.anonymous ?? [401]) : cell.expected(role, side);
            if (!expected.includes(answer.status)) mismatches.push(`${cell.route} as ${role} (${side}): ${answer.status}, expected ${expected.join('|')} ${JSON.stringify(answer.body).slice(0, 160)}`);
            const scopedCaller = role !== ANONYMOUS && (CLIENT_ROLES.includes(role) || role === 'account_executive');
            if (scopedCaller) {
              const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
              const leaked = foreignMarkers(world).filter((marker) => text.includes(marker));
              // Creating a user of another client is refused with 403 whose detail may not echo B's data either.
              if (leaked.length > 0) leaks.push(`${cell.route} as ${role} (${side}) → ${answer.status} carries ${leaked.join(', ')}`);
            }
          }
        }
      }
      assert.deepEqual(mismatches, [], 'every cell answers as the contract says');
      assert.deepEqual(leaks, [], "no answer to a client-scoped caller carries the foreign client's data");
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      // A run that fails (setup, a route missing from the table, a mismatch) still leaves its row, marked failed.
      recordAuthorization({ cells, mismatches: mismatches.length, leaks: leaks.length, passed: failure === undefined, failure: failure === undefined ? undefined : failureOf(failure) });
    }
  });
});
