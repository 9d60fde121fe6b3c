/**
 * Issue "Worker crash": SIGKILL the worker process while the lifecycles are in flight, restart it;
 * every lifecycle completes with no missing and no duplicated audit event or notification.
 */
import assert from 'node:assert/strict';
import { faultEnv } from './support/fault-env';
import { runFaultScenario, sleep } from './support/fault-scenario';
import { untilProgress } from './support/lifecycle-driver';
import { scale } from './support/scale';

describe('fault: the worker process is SIGKILLed mid-run', function () {
  this.timeout(600_000);

  it(`${scale.lifecycles} lifecycles in flight, worker killed twice: all close, nothing lost or duplicated`, async () => {
    const env = await faultEnv();
    const result = await runFaultScenario(env, {
      fault: 'worker-crash',
      faultDescription: 'SIGKILL of the worker process, restarted 2 s later; twice (at 20% and 60% of the steps)',
      count: scale.lifecycles,
      async inject(driver) {
        await untilProgress(driver, 0.2, 180_000);
        const inFlight = driver.inFlight();
        const pid = env.worker.pid;
        await env.worker.kill();
        await sleep(2000);
        await env.worker.start();
        await untilProgress(driver, 0.6, 240_000);
        await env.worker.kill();
        await sleep(2000);
        await env.worker.start();
        return { faultsInjected: 2, inFlight, notes: [`first killed worker pid ${pid}`] };
      },
    });
    assert.deepEqual(result.failedLifecycles, [], 'every lifecycle finished through the API');
    assert.equal(result.audit.lost, 0, result.audit.problems.join('\n'));
    assert.equal(result.audit.duplicated, 0, result.audit.problems.join('\n'));
    assert.equal(result.audit.closed, scale.lifecycles);
    assert.ok(result.injection.inFlight > 0, 'the fault hit lifecycles in flight');
    assert.equal(env.worker.unexpectedExits(), 0, `the worker never died on its own:\n${env.worker.output()}`);
  });
});
