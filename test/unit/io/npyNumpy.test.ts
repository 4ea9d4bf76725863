/**
 * Files written by numpy 1.24 itself (scripts/golden/check_io.py prints these
 * bytes), so that the reader is checked against numpy's writer and the writer
 * against numpy's bytes, not only against each other.
 */
import { describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from '../../../engine/io';
import { hexBytes } from './fixtures';

const NUMPY = {
  /** np.array([[1.0, -2.5, 3.25], [0.5, 65504.0, -0.0]], dtype='<f4') */
  f4_2x3:
    '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000803f000020c0000050400000003f00e07f4700000080',
  /** np.asfortranarray(np.arange(6, dtype='<f8').reshape(2, 3)) */
  f8_fortran_2x3:
    '934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a20547275652c20277368617065273a2028322c2033292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a00000000000000000000000000000840000000000000f03f000000000000104000000000000000400000000000001440',
  /** np.array([1.0, -2.5, 65504.0, 2.0**-24, np.inf, np.nan], dtype='>f2') */
  f2_big_endian:
    '934e554d5059010076007b276465736372273a20273e6632272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028362c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a3c00c1007bff00017c007e00',
  /** np.array([-1, 2**40, 7], dtype='<i8'), written as version 2.0 */
  i8_v2:
    '934e554d50590200740000007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200affffffffffffffff00000000000100000700000000000000',
  /** np.array(True), written as version 3.0 */
  b1_scalar_v3:
    '934e554d50590300740000007b276465736372273a20277c6231272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a01',
};

describe('NPY files written by numpy', () => {
  it('float32 [2, 3], C order', () => {
    const a = readNpy(hexBytes(NUMPY.f4_2x3), 'f4.npy');
    expect([a.shape, a.dtype]).toEqual([[2, 3], 'float32']);
    expect(Array.from(a.data)).toEqual([1, -2.5, 3.25, 0.5, 65504, -0]);
  });

  it('float64 [2, 3], Fortran order, comes out in C order', () => {
    const a = readNpy(hexBytes(NUMPY.f8_fortran_2x3), 'f8.npy');
    expect([a.shape, a.dtype]).toEqual([[2, 3], 'float64']);
    expect(Array.from(a.data)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('big-endian float16 with the largest, a subnormal, inf and NaN', () => {
    const a = readNpy(hexBytes(NUMPY.f2_big_endian), 'f2.npy');
    expect([a.shape, a.dtype]).toEqual([[6], 'float16']);
    expect(Array.from(a.data)).toEqual([1, -2.5, 65504, 2 ** -24, Infinity, NaN]);
  });

  it('int64 beyond int32, version 2.0', () => {
    const a = readNpy(hexBytes(NUMPY.i8_v2), 'i8.npy');
    expect(a.data).toBeInstanceOf(Float64Array);
    expect([a.shape, Array.from(a.data)]).toEqual([[3], [-1, 2 ** 40, 7]]);
  });

  it('a 0-D bool, version 3.0', () => {
    const a = readNpy(hexBytes(NUMPY.b1_scalar_v3), 'b1.npy');
    expect([a.shape, a.dtype, Array.from(a.data)]).toEqual([[], 'bool', [1]]);
  });

  it('writeNpy produces the bytes numpy writes', () => {
    const data = new Float32Array([1, -2.5, 3.25, 0.5, 65504, -0]);
    expect(Buffer.from(writeNpy(data, [2, 3])).toString('hex')).toBe(NUMPY.f4_2x3);
  });
});
