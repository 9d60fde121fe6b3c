/**
 * The suite's figures, written to a JSON file that scripts/reliability-report.ts renders into
 * docs/reliability.md. Written after every record, so a run that fails half-way still leaves its figures.
 * A test records in a `finally`, so a failed run leaves its row marked as failed rather than no row.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface FaultFigures {
  fault: string;
  /** What was running when the faults hit, as measured at the fault (null: the run failed before it was measured). */
  inFlight: number | null;
  workload: string;
  faultsInjected: number;
  faultDescription: string;
  /** null: the run failed before it could count. */
  lost: number | null;
  duplicated: number | null;
  passed: boolean;
  /** Why the run failed (its error's first line), when it did. */
  failure?: string;
  notes?: string[];
}

export interface HostileFigures {
  callsTried: number;
  fiveXx: number;
  notProblemJson: number;
  routes: number;
  rowsCreated: number;
  passed: boolean;
  failure?: string;
}

export interface AuthorizationFigures {
  cells: number;
  mismatches: number;
  leaks: number;
  passed: boolean;
  failure?: string;
}

/** The code the suite ran: the checked-out commit, and whether the working tree differed from it. */
export interface CodeVersion {
  commit: string;
  /** Uncommitted changes (tracked or untracked, not ignored) at the start of the run; null: unknown. */
  dirty: boolean | null;
  changedFiles?: number;
}

export interface FaultsReport {
  generatedAt: string;
  scale: string;
  /** Absent in reports written before it was recorded. */
  code?: CodeVersion;
  machine: { hostname: string; platform: string; cpus: number; cpuModel: string; memoryGiB: number; node: string };
  faults: FaultFigures[];
  hostile?: HostileFigures;
  authorization?: AuthorizationFigures;
}

/** The compiled tree's root (dist in CI): <build>/test/faults/support → <build>. */
export const DEFAULT_REPORT_PATH = path.resolve(__dirname, '../../../faults-report.json');
export const reportPath = () => process.env.RHS_FAULTS_REPORT ?? DEFAULT_REPORT_PATH;

export const faultsScale = (): 'default' | 'large' => (process.env.RHS_FAULTS_SCALE === 'large' ? 'large' : 'default');

/** Read with git in the tree this file was compiled into (dist is inside the clone). */
export function codeVersion(cwd = __dirname): CodeVersion {
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  let commit: string;
  try {
    commit = git('rev-parse', 'HEAD').trim();
  } catch {
    return { commit: 'unknown', dirty: null };
  }
  try {
    const changed = git('status', '--porcelain').split('\n').filter((line) => line.trim() !== '');
    return { commit, dirty: changed.length > 0, changedFiles: changed.length };
  } catch {
    return { commit, dirty: null };
  }
}

/** The first line of an error's message: enough to tell a failed row's cause in the report. */
export function failureOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 300);
}

const report: FaultsReport = {
  generatedAt: new Date().toISOString(),
  scale: faultsScale(),
  code: codeVersion(),
  machine: {
    hostname: os.hostname(),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  },
  faults: [],
};

function write(): void {
  fs.mkdirSync(path.dirname(reportPath()), { recursive: true });
  fs.writeFileSync(reportPath(), JSON.stringify(report, null, 2) + '\n');
}

export function recordFault(figures: FaultFigures): void {
  report.faults = [...report.faults.filter((f) => f.fault !== figures.fault), figures];
  write();
}

export function recordHostile(figures: HostileFigures): void {
  report.hostile = figures;
  write();
}

export function recordAuthorization(figures: AuthorizationFigures): void {
  report.authorization = figures;
  write();
}
