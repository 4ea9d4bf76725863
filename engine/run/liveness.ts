/**
 * Whether a run that run.json calls "running" is still being written.
 *
 * A writer of format version 2 rewrites run.json about once a second while
 * it runs (stepsDone, updatedAt) and names itself in `writer` (pid, host).
 * A reader calls a "running" run "interrupted" (its writer died: a crash,
 * kill -9, a closed window) when
 *
 *   - its writer's process is known to be gone (same host, no such pid), or
 *   - run.json has not changed for `staleAfterMs` (default 60 s; a writer
 *     alive but stalled that long is as good as gone for a reader).
 *
 * Pure: the caller says what the time is and whether a pid is alive.
 */
import type { RunMeta } from './format';

export const STALE_AFTER_MS = 60_000;

export interface LivenessProbe {
  now: number;
  /** This machine's host name, to tell whether `writer.pid` can be checked here. */
  host?: string;
  /** Whether process `pid` of this host runs; undefined when it cannot be told. */
  processAlive?: (pid: number) => boolean | undefined;
  staleAfterMs?: number;
}

/** Why a "running" run's writer is taken for gone, or undefined while it still writes (or the run ended). */
export function interruption(meta: RunMeta, probe: LivenessProbe): string | undefined {
  if (meta.status !== 'running') return undefined;
  const w = meta.writer;
  if (w && probe.host !== undefined && w.host === probe.host && typeof w.pid === 'number') {
    const alive = probe.processAlive?.(w.pid);
    if (alive === false) return `its writer (process ${w.pid}) is gone`;
    if (alive === true) return undefined;
  }
  const updated = Date.parse(meta.updatedAt);
  const stale = probe.staleAfterMs ?? STALE_AFTER_MS;
  if (!Number.isFinite(updated)) return 'run.json has no valid "updatedAt"';
  const age = probe.now - updated;
  if (age > stale) return `run.json has not been updated for ${formatAge(age)}`;
  return undefined;
}

/** The meta as a reader shows it: a "running" run whose writer is gone becomes "interrupted" at its last step. */
export function withLiveness(meta: RunMeta, probe: LivenessProbe): RunMeta {
  const why = interruption(meta, probe);
  if (why === undefined) return meta;
  return { ...meta, status: 'interrupted', reason: `interrupted at step ${meta.stepsDone}: ${why}` };
}

function formatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${Math.round(m / 60)} h`;
}
