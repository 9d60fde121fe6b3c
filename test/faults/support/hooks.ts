import { stopFaultEnv } from './fault-env';

/** Mocha root hooks of the fault suite: the shared environment is started by the first file that needs it. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(120_000);
    await stopFaultEnv();
  },
};
