/**
 * A local file as a byte source for the streamed run reader (engine/run/runStream.ts):
 * positional reads, a chunk at a time, so a run of any size is never in memory whole.
 */
import type { FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../engine/run/runStream';

/** `handle` read up to `size`, its size when opened (a writer may still append; what it appends later is not read). */
export function fileSource(handle: FileHandle, size: number): ByteSource {
  return {
    size,
    async read(offset, length) {
      const buffer = new Uint8Array(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
    },
  };
}
