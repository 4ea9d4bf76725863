/**
 * A run folder's steps segments as byte sources for the streamed reader
 * (engine/run/runStream.ts), and what this process can tell about a run's
 * writer (engine/run/liveness.ts).
 *
 * Local files are read by positional reads, a chunk at a time, so a run of
 * any size is never in memory whole. Other file systems (remote, virtual)
 * only offer whole-file reads through VS Code's API: a segment is then read
 * as bytes (never decoded as one string); the writers that use such file
 * systems keep segments at about 512 KB.
 */
import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { stepsSegmentIndex } from '../../engine/run/format';
import type { LivenessProbe } from '../../engine/run/liveness';
import { bytesSource, type ByteSource } from '../../engine/run/runStream';

export interface OpenSegments {
  names: string[];
  sources: ByteSource[];
  close(): Promise<void>;
}

/** The names of a run folder's step segments, in order. */
export async function segmentsOf(dir: vscode.Uri): Promise<string[]> {
  return (await vscode.workspace.fs.readDirectory(dir))
    .map(([name]) => ({ name, k: stepsSegmentIndex(name) }))
    .filter((s) => s.k >= 0)
    .sort((a, b) => a.k - b.k)
    .map((s) => s.name);
}

/** Opens every segment of a run folder for reading; `close` when done. */
export async function openSegments(dir: vscode.Uri): Promise<OpenSegments> {
  const names = await segmentsOf(dir);
  const handles: fs.FileHandle[] = [];
  const sources: ByteSource[] = [];
  try {
    for (const name of names) {
      const uri = vscode.Uri.joinPath(dir, name);
      if (uri.scheme === 'file') {
        const handle = await fs.open(uri.fsPath, 'r');
        handles.push(handle);
        sources.push(fileSource(handle, (await handle.stat()).size));
      } else {
        sources.push(bytesSource(await vscode.workspace.fs.readFile(uri)));
      }
    }
  } catch (err) {
    await Promise.all(handles.map((h) => h.close()));
    throw err;
  }
  return { names, sources, close: async () => void (await Promise.all(handles.map((h) => h.close()))) };
}

function fileSource(handle: fs.FileHandle, size: number): ByteSource {
  return {
    size,
    async read(offset, length) {
      const buffer = new Uint8Array(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
    },
  };
}

/** The time, this host, and whether a pid of it runs: enough to tell a run whose writer died. */
export function localLiveness(): LivenessProbe {
  return { now: Date.now(), host: hostname(), processAlive };
}

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

/** Who writes a run from this process, for its run.json. */
export function thisWriter(): { pid: number; host: string } {
  return { pid: process.pid, host: hostname() };
}
