/**
 * CPU time spent by each process of the run during a phase, from /proc/<pid>/stat: on a small machine
 * this says who the bottleneck is (dev server, worker, API, PostgreSQL or the load generator itself).
 */
import fs from 'node:fs';

/** Clock ticks per second: 100 on every Linux this runs on (USER_HZ). */
const TICKS_PER_SECOND = 100;

export type CpuSnapshot = Map<number, number>;

function ticks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return undefined; // the process has gone
  }
}

export function cpuSnapshot(pids: number[]): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  for (const pid of pids) {
    const t = ticks(pid);
    if (t !== undefined) snapshot.set(pid, t);
  }
  return snapshot;
}

/** CPU seconds each process used between two snapshots; a process first seen in `after` counts from zero. */
export function cpuSeconds(before: CpuSnapshot, after: CpuSnapshot, pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    const end = after.get(pid);
    if (end !== undefined) total += end - (before.get(pid) ?? 0);
  }
  return total / TICKS_PER_SECOND;
}
