/**
 * Checkpoint files for the CLI and the engine worker: Node file handles with positional reads, so a
 * large checkpoint is never read whole. The checkpoint named on the command
 * line is opened as given; the files it names itself (a sharded index's
 * shards) are confined like every other file the CLI follows: below the
 * current folder when the checkpoint is in it, else below the checkpoint's
 * folder, resolved through links first.
 */
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { OpenRelative, RandomAccessFile } from '../engine/checkpoint';

/** A file opened for positional reads; `name` is how messages call it. */
export async function openRandomAccess(filePath: string, name = filePath): Promise<RandomAccessFile> {
  const handle = await open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    let closed = false;
    return {
      name,
      size,
      async read(offset, length) {
        // Not zero-filled first: every byte returned is read from the file (a short read returns only those).
        const buffer = Buffer.allocUnsafeSlow(length);
        for (let done = 0; done < length;) {
          const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
          if (bytesRead === 0) return buffer.subarray(0, done);
          done += bytesRead;
        }
        return buffer;
      },
      async close() {
        if (closed) return;
        closed = true;
        await handle.close();
      },
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The folder the files a checkpoint names must stay in (the rule `readPythonModel` follows for imports). */
export function confinementRoot(filePath: string, cwd = process.cwd()): string {
  const absolute = path.resolve(filePath);
  return absolute.startsWith(cwd + path.sep) ? cwd : path.dirname(absolute);
}

/**
 * Opens the files named relative to the checkpoint's folder, refusing any
 * that lands outside `root` once links are resolved.
 */
export function confinedOpener(checkpointPath: string, root: string): OpenRelative {
  const folder = path.dirname(path.resolve(checkpointPath));
  return async (relative) => {
    const target = path.resolve(folder, relative);
    let real: string;
    let realRoot: string;
    try {
      [real, realRoot] = await Promise.all([realpath(target), realpath(root)]);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(`cannot open ${relative} next to ${checkpointPath}: ${code === 'ENOENT' ? 'no such file' : code ?? String(error)}`);
    }
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
      throw new Error(`refused to open ${relative}: it lies outside ${root} (checkpoints may only name files below the folder they are read from)`);
    }
    return openRandomAccess(real, relative);
  };
}
