import { stopTestEnv } from './env';

/** Mocha root hooks: the shared environment is started lazily by the suites that need it. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestEnv();
  },
};
