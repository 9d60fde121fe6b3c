import { execFile } from 'node:child_process';
import path from 'node:path';

/** Thrown when no Temporal CLI can be found or built; its message is meant for people, without a stack. */
export class TemporalCliMissingError extends Error {
  override name = 'TemporalCliMissingError';
}

/** Runs scripts/temporal-cli.sh, the one place the CLI is looked up, built and cached. */
export function resolveTemporalCli(repoRoot = path.resolve(__dirname, '../..')): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [path.join(repoRoot, 'scripts/temporal-cli.sh')], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new TemporalCliMissingError(stderr.trim() || error.message));
      else resolve(stdout.trim().split('\n').pop() ?? '');
    });
  });
}
