/**
 * What a process on this host can tell about the process that writes a run:
 * the run's writer records its pid and host, and a reader on the same host can
 * then tell a run that still goes on from one whose writer died.
 */
import { hostname } from 'node:os';
import type { LivenessProbe } from '../engine/run/liveness';

/** The time, this host, and whether a pid of it runs: enough to tell a run whose writer died. */
export function localLiveness(): LivenessProbe {
  return { now: Date.now(), host: hostname(), processAlive };
}

/** Who writes a run from this process, for its run.json. */
export function thisWriter(): { pid: number; host: string } {
  return { pid: process.pid, host: hostname() };
}

/**
 * Whether `pid` runs on this host: signal 0 checks without sending anything. EPERM means it runs as
 * another user; any other failure is "cannot tell" (undefined), never "dead".
 */
function processAlive(pid: number): boolean | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ESRCH' ? false : code === 'EPERM' ? true : undefined;
  }
}
