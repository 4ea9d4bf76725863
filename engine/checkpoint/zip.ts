/**
 * The part of the ZIP format (PKWARE APPNOTE 6.3) that `torch.save` and
 * `np.savez` archives need: the central directory, ZIP64 sizes and offsets,
 * and stored (uncompressed) entries. Both writers store their records
 * uncompressed (torch also aligns each record's data to 64 bytes with padding
 * in the local header's extra field), so a record is a byte range of the
 * file that can be read piecewise. Compressed entries (np.savez_compressed)
 * are listed but reported as unsupported when read.
 *
 *   end of central directory (EOCD), the last 22 + comment bytes:
 *     0 sig 0x06054b50 · 4 disk · 6 cd disk · 8 entries here · 10 entries
 *     · 12 cd size · 16 cd offset · 20 comment length · 22 comment
 *   ZIP64 EOCD locator, just before the EOCD when a field above is 0xFFFF(FFFF):
 *     0 sig 0x07064b50 · 4 disk · 8 ZIP64 EOCD offset (u64) · 16 disks
 *   ZIP64 EOCD: 0 sig 0x06064b50 · 32 entries (u64) · 40 cd size (u64) · 48 cd offset (u64)
 *   central directory entry:
 *     0 sig 0x02014b50 · 8 flags · 10 method · 20 compressed size · 24 size
 *     · 28 name length · 30 extra length · 32 comment length · 42 local header offset · 46 name
 *     (extra block 0x0001 holds the u64 size, compressed size and offset
 *     that are 0xFFFFFFFF above, in that order)
 *   local header: 0 sig 0x04034b50 · 26 name length · 28 extra length · 30 name · extra · data
 */
import { IoError } from '../io/errors';
import { readRange, type RandomAccessFile } from './source';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate, … */
  method: number;
  encrypted: boolean;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

const u64 = (view: DataView, at: number): number => view.getUint32(at + 4, true) * 2 ** 32 + view.getUint32(at, true);

/** The entries of the archive's central directory, in directory order. */
export async function readZipDirectory(file: RandomAccessFile): Promise<ZipEntry[]> {
  const fail = (detail: string): never => {
    throw new IoError(file.name, detail);
  };
  if (file.size < EOCD_SIZE) fail(`file is ${file.size} bytes, too short for a ZIP archive`);
  const tailLength = Math.min(file.size, EOCD_SIZE + MAX_COMMENT);
  const tailStart = file.size - tailLength;
  const tail = await readRange(file, tailStart, tailLength, 'ZIP end of central directory');
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  // The EOCD is the last signature whose comment length reaches exactly the end of the file.
  let eocd = -1;
  for (let i = tailLength - EOCD_SIZE; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIG && i + EOCD_SIZE + tv.getUint16(i + 20, true) === tailLength) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return fail('not a ZIP archive: no end-of-central-directory record (truncated file?)');
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (tv.getUint16(eocd + 4, true) !== 0 || tv.getUint16(eocd + 6, true) !== 0) fail('multi-disk ZIP archives are not supported');

  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locatorAt = tailStart + eocd - 20;
    if (locatorAt < 0) fail('ZIP64 end-of-central-directory locator is missing');
    const loc = await readRange(file, locatorAt, 20, 'ZIP64 locator');
    const lv = new DataView(loc.buffer, loc.byteOffset, 20);
    if (lv.getUint32(0, true) !== ZIP64_LOCATOR_SIG) fail('ZIP64 end-of-central-directory locator is missing');
    const zip64At = u64(lv, 8);
    const rec = await readRange(file, zip64At, 56, 'ZIP64 end of central directory');
    const rv = new DataView(rec.buffer, rec.byteOffset, 56);
    if (rv.getUint32(0, true) !== ZIP64_EOCD_SIG) fail(`no ZIP64 end-of-central-directory record at byte ${zip64At}`);
    count = u64(rv, 32);
    cdSize = u64(rv, 40);
    cdOffset = u64(rv, 48);
  }
  // Each entry takes at least 46 bytes, which bounds `count` by the file, not by a corrupt field.
  if (count * 46 > cdSize) fail(`central directory of ${cdSize} bytes cannot hold ${count} entries`);
  const cd = await readRange(file, cdOffset, cdSize, 'ZIP central directory');
  const cv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const names = new TextDecoder('utf-8');
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > cdSize || cv.getUint32(at, true) !== CENTRAL_SIG) fail(`central directory entry ${n} is corrupt (bad signature at byte ${cdOffset + at})`);
    const flags = cv.getUint16(at + 8, true);
    const method = cv.getUint16(at + 10, true);
    let compressedSize = cv.getUint32(at + 20, true);
    let size = cv.getUint32(at + 24, true);
    const nameLength = cv.getUint16(at + 28, true);
    const extraLength = cv.getUint16(at + 30, true);
    const commentLength = cv.getUint16(at + 32, true);
    let localHeaderOffset = cv.getUint32(at + 42, true);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > cdSize) fail(`central directory entry ${n} runs past the directory's end`);
    const name = names.decode(cd.subarray(at + 46, at + 46 + nameLength));
    // ZIP64 extra block: only the fields that overflowed above are present.
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength;) {
      const id = cv.getUint16(e, true);
      const length = cv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let f = e + 4;
        const next = (): number => {
          if (f + 8 > e + 4 + length) fail(`entry '${name}': ZIP64 extra field is too short`);
          const v = u64(cv, f);
          f += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      e += 4 + length;
    }
    entries.push({ name, method, encrypted: (flags & 1) !== 0, compressedSize, size, localHeaderOffset });
    at = end;
  }
  return entries;
}

/**
 * The byte offset in the file of a stored entry's data, after checking that
 * it is stored, unencrypted and inside the file.
 */
export async function storedEntryOffset(file: RandomAccessFile, entry: ZipEntry): Promise<number> {
  const fail = (detail: string): never => {
    throw new IoError(file.name, `entry '${entry.name}': ${detail}`);
  };
  if (entry.encrypted) fail('is encrypted');
  if (entry.method !== 0) {
    fail(entry.method === 8
      ? 'is compressed (deflate); only stored entries are read (torch.save and np.savez store them; np.savez_compressed does not: re-save with np.savez)'
      : `uses compression method ${entry.method}; only stored (uncompressed) entries are read`);
  }
  if (entry.compressedSize !== entry.size) fail(`is stored but its sizes differ (${entry.compressedSize} and ${entry.size} bytes)`);
  const header = await readRange(file, entry.localHeaderOffset, 30, `local header of '${entry.name}'`);
  const hv = new DataView(header.buffer, header.byteOffset, 30);
  if (hv.getUint32(0, true) !== LOCAL_SIG) fail(`no local header at byte ${entry.localHeaderOffset}`);
  const dataOffset = entry.localHeaderOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
  if (dataOffset + entry.size > file.size) fail(`data at bytes ${dataOffset}..${dataOffset + entry.size} runs past the end of the ${file.size}-byte file`);
  return dataOffset;
}

/** A whole stored entry, for small records (data.pkl, .npy headers are read in parts). */
export async function readStoredEntry(file: RandomAccessFile, entry: ZipEntry, maxBytes: number): Promise<Uint8Array> {
  const offset = await storedEntryOffset(file, entry);
  if (entry.size > maxBytes) throw new IoError(file.name, `entry '${entry.name}' is ${entry.size} bytes, over the ${maxBytes}-byte limit for it`);
  return readRange(file, offset, entry.size, `entry '${entry.name}'`);
}
