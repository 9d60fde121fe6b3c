/**
 * Issue "Database outage": stop the suite's PostgreSQL for 30 s while the lifecycles run. Activities
 * retry and every lifecycle completes, nothing lost or duplicated; during the outage /readyz answers
 * 503 problem+json and no API call hangs past the API's timeout.
 */
import assert from 'node:assert/strict';
import { callApi, isProblem, type ApiAnswer } from './support/api-client';
import { API_TIMEOUT_MS, faultEnv, type FaultEnv } from './support/fault-env';
import { runFaultScenario, sleep } from './support/fault-scenario';
import { createClientParty, createUser } from './support/fixtures';
import { untilProgress } from './support/lifecycle-driver';
import { scale } from './support/scale';

/** The API answers a stuck call at its timeout plus 500 ms; the rest is room for a loaded machine. */
const ANSWER_WITHIN_MS = API_TIMEOUT_MS + 2500;

interface Probe {
  name: string;
  answer: ApiAnswer;
}

/** Calls of every kind, one after another, for as long as the outage lasts. */
async function probeDuringOutage(env: FaultEnv, tokens: { client: string; staff: string }, until: () => boolean): Promise<Probe[]> {
  const token = tokens.client;
  const probes: Probe[] = [];
  const kinds = [
    { name: 'GET /readyz', call: { method: 'GET', path: '/readyz' } },
    { name: 'GET /v1/requests', call: { method: 'GET', path: '/v1/requests?limit=5', token } },
    { name: 'POST /v1/requests', call: { method: 'POST', path: '/v1/requests', token, body: { site: 'DC-OUT', summary: 'outage probe', instructions: 'Nothing to do: this filing probes the outage.' } } },
    { name: 'GET /v1/me', call: { method: 'GET', path: '/v1/me', token } },
    // The codec endpoint authenticates against the database as /v1 does (the Temporal UI calls it).
    { name: 'POST /codec/decode', call: { method: 'POST', path: '/codec/decode', token: tokens.staff, body: { payloads: [] } } },
  ];
  for (let i = 0; !until() && i < 10_000; i += 1) {
    const kind = kinds[i % kinds.length];
    probes.push({ name: kind.name, answer: await callApi(env.apiUrl, { ...kind.call, timeoutMs: ANSWER_WITHIN_MS + 10_000 }) });
    await sleep(200);
  }
  return probes;
}

describe('fault: PostgreSQL is down for a while mid-run', function () {
  this.timeout(600_000);

  it(`${scale.lifecycles} lifecycles in flight, PostgreSQL stopped ${scale.outageMs / 1000} s: all close, nothing lost or duplicated; /readyz 503 and no call hangs meanwhile`, async () => {
    const env = await faultEnv();
    // A client user's token: unlike the bootstrap admin's, checking it needs the database.
    const prober = await createClientParty(env.apiUrl, env.adminToken);
    const decoder = await createUser(env.apiUrl, env.adminToken, { role: 'operator_l1' });
    let outage = { from: 0, to: 0 };
    let probes: Probe[] = [];
    let readyAfter: ApiAnswer | undefined;
    const result = await runFaultScenario(env, {
      fault: 'database-outage',
      faultDescription: `PostgreSQL stopped (fast shutdown: connections cut) for ${scale.outageMs / 1000} s at 30% of the steps, then started again`,
      count: scale.lifecycles,
      async inject(driver) {
        await untilProgress(driver, 0.3, 180_000);
        const inFlight = driver.inFlight();
        outage = { from: Date.now(), to: 0 };
        env.postgres.stop();
        const ends = Date.now() + scale.outageMs;
        probes = await probeDuringOutage(env, { client: prober.authorized.token, staff: decoder.token }, () => Date.now() >= ends);
        env.postgres.start();
        outage.to = Date.now();
        // Ready again once both dependencies answer: the pools reconnect on their own.
        for (let i = 0; i < 60; i += 1) {
          readyAfter = await callApi(env.apiUrl, { method: 'GET', path: '/readyz' });
          if (readyAfter.status === 200) break;
          await sleep(500);
        }
        return { faultsInjected: 1, inFlight, notes: [`${probes.length} probe calls during the outage`] };
      },
    });
    // During the outage: readiness says so, every call answers in time, and every error is problem+json.
    const kindsProbed = new Set(probes.map((p) => p.name));
    for (const kind of ['GET /readyz', 'GET /v1/requests', 'POST /v1/requests', 'GET /v1/me', 'POST /codec/decode']) assert.ok(kindsProbed.has(kind), `${kind} was probed during the outage`);
    const readyz = probes.filter((p) => p.name === 'GET /readyz');
    assert.ok(readyz.length >= 3, 'readiness was probed during the outage');
    for (const probe of readyz) {
      assert.equal(probe.answer.status, 503, `readyz during the outage: ${JSON.stringify(probe.answer.body)}`);
      assert.ok(isProblem(probe.answer), 'readyz 503 is problem+json');
      assert.equal(probe.answer.body.database, 'down');
    }
    const inOutage = result.driver.calls.filter((c) => c.startedAt >= outage.from && c.startedAt <= outage.to);
    assert.ok(inOutage.length > 0, 'lifecycle calls were made during the outage');
    const slow = [
      ...probes.filter((p) => p.answer.status === 0 || p.answer.ms > ANSWER_WITHIN_MS).map((p) => `${p.name}: ${p.answer.status} in ${Math.round(p.answer.ms)} ms`),
      ...inOutage.filter((c) => c.status === 0 || c.endedAt - c.startedAt > ANSWER_WITHIN_MS).map((c) => `lifecycle call: ${c.status} in ${c.endedAt - c.startedAt} ms`),
    ];
    assert.deepEqual(slow, [], `calls answered within ${ANSWER_WITHIN_MS} ms`);
    const errorsNotProblem = [...probes.map((p) => p.answer), ...inOutage].filter((a) => a.status >= 400 && a.contentType !== 'application/problem+json');
    assert.equal(errorsNotProblem.length, 0, 'every error during the outage is problem+json');
    // The calls that need the database were refused (503), not answered from nowhere.
    const needingDb = probes.filter((p) => p.name !== 'GET /readyz');
    assert.ok(needingDb.every((p) => p.answer.status === 503), `calls needing the database answer 503: ${needingDb.map((p) => p.answer.status).join(',')}`);
    assert.equal(readyAfter?.status, 200, 'ready again after the outage');

    assert.deepEqual(result.failedLifecycles, [], 'every lifecycle finished through the API');
    assert.equal(result.audit.lost, 0, result.audit.problems.join('\n'));
    assert.equal(result.audit.duplicated, 0, result.audit.problems.join('\n'));
    assert.equal(result.audit.closed, scale.lifecycles);
    assert.ok(result.injection.inFlight > 0, 'the fault hit lifecycles in flight');
  });
});
