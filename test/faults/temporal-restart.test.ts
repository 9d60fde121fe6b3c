/**
 * Issue "Temporal restart": stop the dev server (its database file kept) while the lifecycles are in
 * flight and start it again on the same port; the API and the worker reconnect on their own, every
 * lifecycle completes, nothing lost or duplicated.
 */
import assert from 'node:assert/strict';
import { faultEnv } from './support/fault-env';
import { runFaultScenario } from './support/fault-scenario';
import { untilProgress } from './support/lifecycle-driver';
import { scale } from './support/scale';

describe('fault: the Temporal server restarts mid-run', function () {
  this.timeout(600_000);

  it(`${scale.lifecycles} lifecycles in flight, Temporal stopped for 3 s and restarted from its database file: all close, nothing lost or duplicated`, async () => {
    const env = await faultEnv();
    const exitsBefore = env.worker.unexpectedExits();
    const result = await runFaultScenario(env, {
      fault: 'temporal-restart',
      faultDescription: 'Temporal dev server stopped (SIGTERM), down 3 s, started again on the same port with the same database file; at 30% of the steps',
      count: scale.lifecycles,
      async inject(driver) {
        await untilProgress(driver, 0.3, 180_000);
        const inFlight = driver.inFlight();
        await env.restartTemporal(3000);
        return { faultsInjected: env.temporalRestarts(), inFlight };
      },
    });
    assert.deepEqual(result.failedLifecycles, [], 'every lifecycle finished through the API');
    assert.equal(result.audit.lost, 0, result.audit.problems.join('\n'));
    assert.equal(result.audit.duplicated, 0, result.audit.problems.join('\n'));
    assert.equal(result.audit.closed, scale.lifecycles);
    assert.ok(result.injection.inFlight > 0, 'the fault hit lifecycles in flight');
    assert.equal(env.worker.unexpectedExits() - exitsBefore, 0, `the worker survived the restart:\n${env.worker.output()}`);
  });
});
