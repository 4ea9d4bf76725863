/**
 * A run folder's steps segments as byte sources for the streamed reader
 * (engine/run/runStream.ts).
 *
 * Local files are read by positional reads, a chunk at a time, so a run of
 * any size is never in memory whole. Other file systems (remote, virtual)
 * only offer whole-file reads through VS Code's API: a segment is then read
 * as bytes (never decoded as one string); the writers that use such file
 * systems keep segments at about 512 KB.
 */
import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import { stepsSegmentIndex } from '../../engine/run/format';
import { bytesSource, type ByteSource } from '../../engine/run/runStream';
import { fileSource } from '../../host/fileSource';

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
