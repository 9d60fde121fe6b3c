import { stopFaultEnv } from './fault-env';

// `timeout` in the npm script ends a run that hangs with SIGTERM: exit through 'exit' so the private
// PostgreSQL cluster and the child processes are stopped by their exit handlers.
process.once('SIGTERM', () => process.exit(143));

/** Mocha root hooks of the fault suite: the shared environment is started by the first file that needs it. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(120_000);
    await stopFaultEnv();
  },
};
