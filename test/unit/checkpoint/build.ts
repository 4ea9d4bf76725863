/** Small builders of ZIP archives and pickle streams for the checkpoint tests. */

const u16 = (x: number): number[] => [x & 0xff, (x >>> 8) & 0xff];
const u32 = (x: number): number[] => [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff];

export interface ZipMember {
  name: string;
  data: Uint8Array;
  /** 0 stored (default), 8 deflate (the data is then not really compressed: only the method field matters here). */
  method?: number;
}

const u64 = (x: number): number[] => [...u32(x % 2 ** 32), ...u32(Math.floor(x / 2 ** 32))];

/**
 * A ZIP archive (no CRCs checked by the reader, so they are 0). With `zip64`,
 * sizes, offsets and counts are written as the ZIP64 records and extra
 * fields that archives over 4 GB need, with the 32-bit fields saturated.
 */
export function buildZip(members: ZipMember[], zip64 = false): Uint8Array {
  const out: number[] = [];
  const central: number[] = [];
  const enc = new TextEncoder();
  for (const m of members) {
    const name = [...enc.encode(m.name)];
    const offset = out.length;
    const method = m.method ?? 0;
    out.push(...u32(0x04034b50), ...u16(20), ...u16(0), ...u16(method), ...u16(0), ...u16(0), ...u32(0), ...u32(m.data.length), ...u32(m.data.length), ...u16(name.length), ...u16(0), ...name, ...m.data);
    if (zip64) {
      const extra = [...u16(1), ...u16(24), ...u64(m.data.length), ...u64(m.data.length), ...u64(offset)];
      central.push(...u32(0x02014b50), ...u16(45), ...u16(45), ...u16(0), ...u16(method), ...u16(0), ...u16(0), ...u32(0), ...u32(0xffffffff), ...u32(0xffffffff), ...u16(name.length), ...u16(extra.length), ...u16(0), ...u16(0), ...u16(0), ...u32(0), ...u32(0xffffffff), ...name, ...extra);
    } else {
      central.push(...u32(0x02014b50), ...u16(20), ...u16(20), ...u16(0), ...u16(method), ...u16(0), ...u16(0), ...u32(0), ...u32(m.data.length), ...u32(m.data.length), ...u16(name.length), ...u16(0), ...u16(0), ...u16(0), ...u16(0), ...u32(0), ...u32(offset), ...name);
    }
  }
  const cdOffset = out.length;
  out.push(...central);
  if (zip64) {
    const recordAt = out.length;
    out.push(...u32(0x06064b50), ...u64(44), ...u16(45), ...u16(45), ...u32(0), ...u32(0), ...u64(members.length), ...u64(members.length), ...u64(central.length), ...u64(cdOffset));
    out.push(...u32(0x07064b50), ...u32(0), ...u64(recordAt), ...u32(1));
    out.push(...u32(0x06054b50), ...u16(0), ...u16(0), ...u16(0xffff), ...u16(0xffff), ...u32(0xffffffff), ...u32(0xffffffff), ...u16(0));
    return Uint8Array.from(out);
  }
  out.push(...u32(0x06054b50), ...u16(0), ...u16(0), ...u16(members.length), ...u16(members.length), ...u32(central.length), ...u32(cdOffset), ...u16(0));
  return Uint8Array.from(out);
}

/** Pickle opcodes, assembled. */
export const P = {
  proto: [0x80, 2],
  stop: [0x2e],
  mark: [0x28],
  emptyDict: [0x7d],
  emptyList: [0x5d],
  emptyTuple: [0x29],
  none: [0x4e],
  tuple: [0x74],
  tuple1: [0x85],
  tuple2: [0x86],
  reduce: [0x52],
  setitem: [0x73],
  setitems: [0x75],
  append: [0x61],
  build: [0x62],
  newobj: [0x81],
  binpersid: [0x51],
  global: (module: string, name: string): number[] => [0x63, ...new TextEncoder().encode(`${module}\n${name}\n`)],
  str: (s: string): number[] => {
    const b = [...new TextEncoder().encode(s)];
    return [0x58, ...u32(b.length), ...b];
  },
  short: (s: string): number[] => {
    const b = [...new TextEncoder().encode(s)];
    return [0x8c, b.length, ...b];
  },
  stackGlobal: [0x93],
  int: (x: number): number[] => [0x4a, ...u32(x)],
  binget: (i: number): number[] => [0x68, i],
  binput: (i: number): number[] => [0x71, i],
};

export const pickle = (...parts: number[][]): Uint8Array => Uint8Array.from(parts.flat());

/**
 * A torch.save-style data.pkl of {name: tensor} for float32 tensors of
 * storage `key`, with the given shape, stride and offset.
 */
export function tensorPickle(tensors: { name: string; key: string; numel: number; shape: number[]; stride: number[]; offset: number }[]): Uint8Array {
  const parts: number[][] = [P.proto, P.global('collections', 'OrderedDict'), P.emptyTuple, P.reduce, P.mark];
  for (const t of tensors) {
    parts.push(
      P.str(t.name),
      P.global('torch._utils', '_rebuild_tensor_v2'),
      P.mark,
      P.mark, P.str('storage'), P.global('torch', 'FloatStorage'), P.str(t.key), P.str('cpu'), P.int(t.numel), P.tuple, P.binpersid,
      P.int(t.offset),
      P.mark, ...t.shape.map((d) => P.int(d)), P.tuple,
      P.mark, ...t.stride.map((d) => P.int(d)), P.tuple,
      [0x89], // False
      P.global('collections', 'OrderedDict'), P.emptyTuple, P.reduce,
      P.tuple, P.reduce,
    );
  }
  parts.push(P.setitems, P.stop);
  return pickle(...parts);
}

/** float32 little-endian bytes. */
export function f32(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}
