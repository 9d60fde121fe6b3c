/** Runs the given steps once, in order, on SIGINT or SIGTERM; a second signal exits at once. */
export function onShutdown(steps: Array<() => Promise<void>>, log: (message: string) => void = console.error): void {
  let stopping = false;
  const handler = async (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: shutting down`);
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        log(`shutdown step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    process.exit(0);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** Start-up failures are reported as one clear line, not a stack trace. */
export function exitWithMessage(message: string): never {
  console.error(`\nremote-hands: ${message}\n`);
  process.exit(1);
}
