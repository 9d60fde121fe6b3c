/**
 * Issue "Hostile input": thousands of malformed, oversized, deeply nested, wrongly typed and
 * unicode-hostile bodies, headers, query strings and path parameters at every route of the served
 * OpenAPI document. No 5xx, every error problem+json, nothing created, the process healthy afterwards.
 */
import assert from 'node:assert/strict';
import { callApi, isProblem, type ApiAnswer } from './support/api-client';
import { faultEnv, type FaultEnv } from './support/fault-env';
import { createClientParty, createStaff, createUser } from './support/fixtures';
import { hostileCalls, operationsOf, prng, type HostileCall } from './support/hostile-generator';
import { recordHostile } from './support/report';
import { scale } from './support/scale';

const SEED = Number(process.env.RHS_FAULTS_SEED ?? 20261203);
const WATCHED_TABLES = ['clients', 'users', 'requests', 'request_events', 'notifications', 'filing_keys', 'billing_runs', 'statements', 'budget_operations'];

async function rowCounts(env: FaultEnv): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of WATCHED_TABLES) {
    const query = env.db(table);
    // Reviews of earlier tests' billing months chase their (past) due dates on their own meanwhile.
    if (table === 'notifications') query.whereNull('period');
    counts[table] = Number((await query.count<{ n: string }[]>('* as n'))[0].n);
  }
  return counts;
}

describe('hostile input at every route', function () {
  this.timeout(600_000);

  it('no 5xx, every error problem+json, nothing created, healthy afterwards', async () => {
    const env = await faultEnv();
    const client = await createClientParty(env.apiUrl, env.adminToken);
    const staff = await createStaff(env.apiUrl, env.adminToken);
    const accountExecutive = await createUser(env.apiUrl, env.adminToken, { role: 'account_executive', clientIds: [client.clientId] });
    // A request in a final state: actions on it reach the handlers and are refused, never applied.
    const filed = await callApi(env.apiUrl, { method: 'POST', path: '/v1/requests', token: client.authorized.token, body: { site: 'DC-H', summary: 'Hostile target', instructions: 'Nothing.' } });
    assert.equal(filed.status, 201);
    const rejected = await callApi(env.apiUrl, { method: 'POST', path: `/v1/requests/${filed.body.id}/validation`, token: staff.operator.token, body: { decision: 'reject', reason: 'test target' } });
    assert.equal(rejected.body.status, 'REJECTED');
    const tokens: Record<string, string> = {
      admin: env.adminToken,
      client_authorizer: client.authorizer.token,
      client_authorized: client.authorized.token,
      operator_l1: staff.operator.token,
      sla_manager: staff.slaManager.token,
      account_executive: accountExecutive.token,
      none: '',
    };
    const real: Record<string, string> = { id: filed.body.id, clientId: client.clientId };

    const doc = await callApi(env.apiUrl, { method: 'GET', path: '/openapi.json' });
    assert.equal(doc.status, 200);
    const operations = operationsOf(doc.body);
    assert.ok(operations.length >= 20, `the document lists the routes (${operations.length})`);
    const random = prng(SEED);
    const calls: HostileCall[] = operations.flatMap((op) => hostileCalls(op, scale.hostileCallsPerRoute, random, tokens, (name) => real[name]));

    const before = await rowCounts(env);
    const failures: string[] = [];
    let fiveXx = 0;
    let notProblem = 0;
    let tried = 0;
    const note = (call: HostileCall, answer: ApiAnswer, what: string) => {
      if (failures.length < 25) failures.push(`${what}: ${call.method} ${call.path.slice(0, 120)} [${call.kind}, ${call.role}] → ${answer.status} ${answer.failure ?? ''} ${JSON.stringify(answer.body).slice(0, 200)}`);
    };
    const queue = [...calls];
    const worker = async () => {
      for (let call = queue.shift(); call; call = queue.shift()) {
        const answer = await callApi(env.apiUrl, { method: call.method, path: call.path, headers: call.headers, rawBody: call.rawBody, timeoutMs: 30_000 });
        tried += 1;
        if (answer.status === 0 || answer.status >= 500) {
          fiveXx += 1;
          note(call, answer, '5xx or no answer');
        } else if (answer.status >= 400 && (!isProblem(answer) || answer.body?.status !== answer.status || typeof answer.body?.title !== 'string')) {
          notProblem += 1;
          note(call, answer, 'error not problem+json');
        }
      }
    };
    await Promise.all(Array.from({ length: 12 }, worker));
    const after = await rowCounts(env);
    const created = Object.keys(before).reduce((sum, table) => sum + Math.abs(after[table] - before[table]), 0);

    const healthz = await callApi(env.apiUrl, { method: 'GET', path: '/healthz' });
    const readyz = await callApi(env.apiUrl, { method: 'GET', path: '/readyz' });
    const me = await callApi(env.apiUrl, { method: 'GET', path: '/v1/me', token: client.authorized.token });
    recordHostile({ callsTried: tried, fiveXx, notProblemJson: notProblem, routes: operations.length, rowsCreated: created, passed: fiveXx === 0 && notProblem === 0 && created === 0 });

    assert.equal(tried, calls.length);
    assert.equal(fiveXx, 0, failures.join('\n'));
    assert.equal(notProblem, 0, failures.join('\n'));
    assert.deepEqual(after, before, 'nothing created or changed');
    assert.equal(healthz.status, 200);
    assert.equal(readyz.status, 200);
    assert.equal(me.status, 200, 'the API still serves a valid call');
  });
});
