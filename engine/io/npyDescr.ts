/**
 * NPY `descr` strings — numpy's `dtype.str`, e.g. '<f4' — to element types.
 *
 * A descr is a byte-order character, a kind character and the item size in
 * bytes:
 *   byte order  '<' little-endian, '>' big-endian, '|' not applicable (1-byte
 *               items), '=' native (read as little-endian: numpy writes
 *               '<' or '>' explicitly, and every platform it runs on today
 *               is little-endian)
 *   kind        'f' float, 'i' signed int, 'u' unsigned int, 'b' bool,
 *               'c' complex, 'O' object, 'U'/'S' strings, 'M'/'m' dates, 'V' void
 */
import type { ElementType } from './types';

export interface NpyElement {
  type: ElementType;
  littleEndian: boolean;
}

const SUPPORTED: Readonly<Record<string, ElementType>> = {
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  b1: 'bool',
};

/** Why the unsupported kinds are unsupported, for the message. */
const KIND_NAMES: Readonly<Record<string, string>> = {
  c: 'complex numbers',
  O: 'object arrays hold pickled Python objects',
  U: 'unicode strings',
  S: 'byte strings',
  a: 'byte strings',
  M: 'datetimes',
  m: 'timedeltas',
  V: 'raw or structured records',
};

/** The element type of a descr, or the reason it is not supported. */
export function parseNpyDescr(descr: string): NpyElement | { error: string } {
  const match = /^([<>|=]?)([a-zA-Z?])(\d*)(.*)$/s.exec(descr);
  const supported = match && match[4] === '' ? SUPPORTED[`${match[2]}${match[3]}`] : undefined;
  if (match && supported) return { type: supported, littleEndian: match[1] !== '>' };
  const why = match ? KIND_NAMES[match[2]!] : undefined;
  const kinds = 'float16/32/64, int8/16/32/64, uint8/16/32/64 and bool';
  if (match?.[2] === 'O') return { error: `object arrays (dtype '${descr}') are not supported: they hold pickled Python objects, not numbers` };
  return { error: `unsupported dtype '${descr}'${why ? ` (${why})` : ''}; supported are ${kinds}` };
}
