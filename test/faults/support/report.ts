/**
 * The suite's figures, written to a JSON file that scripts/reliability-report.ts renders into
 * docs/reliability.md. Written after every record, so a run that fails half-way still leaves its figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface FaultFigures {
  fault: string;
  /** What was running when the faults hit. */
  inFlight: number;
  workload: string;
  faultsInjected: number;
  faultDescription: string;
  lost: number;
  duplicated: number;
  passed: boolean;
  notes?: string[];
}

export interface HostileFigures {
  callsTried: number;
  fiveXx: number;
  notProblemJson: number;
  routes: number;
  rowsCreated: number;
  passed: boolean;
}

export interface AuthorizationFigures {
  cells: number;
  mismatches: number;
  leaks: number;
  passed: boolean;
}

export interface FaultsReport {
  generatedAt: string;
  scale: string;
  machine: { hostname: string; platform: string; cpus: number; cpuModel: string; memoryGiB: number; node: string };
  faults: FaultFigures[];
  hostile?: HostileFigures;
  authorization?: AuthorizationFigures;
}

/** The compiled tree's root (dist in CI): <build>/test/faults/support → <build>. */
export const DEFAULT_REPORT_PATH = path.resolve(__dirname, '../../../faults-report.json');
export const reportPath = () => process.env.RHS_FAULTS_REPORT ?? DEFAULT_REPORT_PATH;

export const faultsScale = (): 'default' | 'large' => (process.env.RHS_FAULTS_SCALE === 'large' ? 'large' : 'default');

const report: FaultsReport = {
  generatedAt: new Date().toISOString(),
  scale: faultsScale(),
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
