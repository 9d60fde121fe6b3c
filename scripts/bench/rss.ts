/** Memory of another process as Linux reports it: /proc/<pid>/status. */
import fs from 'node:fs';

export interface ProcessMemory {
  /** Resident set size now. */
  rssMb: number;
  /** The largest resident set size so far (VmHWM). */
  peakRssMb: number;
}

export function readMemory(pid: number): ProcessMemory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]);
  };
  const mb = (k: number) => Math.round(k / 1024);
  return { rssMb: mb(kb('VmRSS')), peakRssMb: mb(kb('VmHWM')) };
}
