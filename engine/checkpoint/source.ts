/**
 * Checkpoints are read through positional reads of their files, never whole:
 * a 500 MB checkpoint is summarized a tensor at a time. The host (the CLI with
 * Node file handles, the extension, or a test with bytes in memory) provides
 * the reads; the engine touches no file system.
 */
import { IoError } from '../io/errors';

/** One open file. */
export interface RandomAccessFile {
  /** The file's name, for messages. */
  readonly name: string;
  /** Its length in bytes. */
  readonly size: number;
  /** `length` bytes from `offset`; callers stay inside [0, size) (see `readRange`). */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Opens a file named relative to the checkpoint's folder (the shards of a
 * sharded safetensors checkpoint). Hosts refuse names that lead outside it.
 */
export type OpenRelative = (relativePath: string) => Promise<RandomAccessFile>;

/** A file held in memory (tests, and hosts that can only read whole files). */
export function bytesFile(name: string, bytes: Uint8Array): RandomAccessFile {
  return {
    name,
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, offset + length),
    close: async () => undefined,
  };
}

/**
 * `length` bytes at `offset`, after checking that they lie inside the file:
 * every read the readers make goes through here, so a corrupt header can
 * never make them read past the end (or allocate more than the file holds).
 */
export async function readRange(file: RandomAccessFile, offset: number, length: number, what: string): Promise<Uint8Array> {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > file.size) {
    throw new IoError(file.name, `${what} at bytes ${offset}..${offset + length} lies outside the ${file.size}-byte file (is it truncated or corrupt?)`);
  }
  const bytes = await file.read(offset, length);
  if (bytes.length !== length) throw new IoError(file.name, `${what}: read ${bytes.length} of ${length} bytes at ${offset} (was the file changed while it was read?)`);
  return bytes;
}
