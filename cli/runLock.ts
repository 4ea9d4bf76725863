/**
 * One writer per run folder. `train --run DIR` takes `DIR/.weightscope.lock`, created exclusively (`wx`: the
 * open fails if the file exists) and holding the writer's pid, so that two trainings never interleave their
 * steps in one folder. A lock whose pid is no longer running was left by a writer that died (kill -9, a power
 * cut) and is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export const RUN_LOCK_FILE = '.weightscope.lock';

export class RunLockError extends Error {}

export interface RunLock {
  release(): void;
}

export function lockRunFolder(dir: string): RunLock {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, RUN_LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          try {
            unlinkSync(file);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = lockHolder(file);
    if (holder !== undefined && isRunning(holder)) throw new RunLockError(`${dir} is being written by another weightscope (pid ${holder}); pick another folder`);
    // Stale: its writer died. Remove it and try once more (a writer that takes it meanwhile wins).
    try {
      unlinkSync(file);
    } catch {
      // Someone else removed it first.
    }
  }
  throw new RunLockError(`${dir}: could not take the lock ${RUN_LOCK_FILE}`);
}

function lockHolder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** `kill(pid, 0)` sends nothing: it fails with ESRCH when no such process exists (EPERM: it exists, not ours). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
