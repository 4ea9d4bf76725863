import { describe, expect, it } from 'vitest';
import { readSafetensors, readSafetensorsFile, writeSafetensors } from '../../../engine/io';
import { expectIoError, f32, f64, safetensorsFile } from './fixtures';

describe('writeSafetensors → readSafetensors', () => {
  it('round-trips float32 and float64 tensors with metadata, F64 first and names sorted', () => {
    const bytes = writeSafetensors({
      'fc1.weight': { shape: [2, 2], data: new Float32Array([1.5, -2, 0.25, 3]) },
      'b': { shape: [2], data: new Float64Array([1 / 3, -0]) },
      'a': { shape: [1], data: new Float32Array([7]) },
    }, { format: 'pt' });
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    expect((8 + headerLength) % 8).toBe(0); // data starts 8-aligned
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(Object.keys(header)).toEqual(['__metadata__', 'b', 'a', 'fc1.weight']);
    const { tensors, metadata } = readSafetensorsFile(bytes, 'w.safetensors');
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors.get('fc1.weight')).toMatchObject({ shape: [2, 2], dtype: 'float32' });
    expect(Array.from(tensors.get('fc1.weight')!.data)).toEqual([1.5, -2, 0.25, 3]);
    expect(Array.from(tensors.get('b')!.data)).toEqual([1 / 3, -0]);
    expect(tensors.get('b')!.dtype).toBe('float64');
  });

  it('refuses what it cannot write faithfully', () => {
    expect(() => writeSafetensors({ __metadata__: { shape: [1], data: new Float32Array(1) } })).toThrow(/reserved/);
    expect(() => writeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow("writeSafetensors: tensor 'w' has shape [2, 2] (4 elements) but 3 values");
  });
});

describe('readSafetensors: malformed files name the problem', () => {
  const ok = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  it('reads a hand-made file, and an empty tensor', () => {
    expect(Array.from(readSafetensors(safetensorsFile(ok, f32([1, 2])), 'x').get('w')!.data)).toEqual([1, 2]);
    expect(readSafetensors(safetensorsFile({ e: { dtype: 'F64', shape: [0, 3], data_offsets: [0, 0] } }), 'x').get('e')!.data.length).toBe(0);
  });

  it('length, JSON and entry errors', () => {
    expectIoError(() => readSafetensors(new Uint8Array(3), 'x.safetensors'), 'x.safetensors: file is 3 bytes, too short for the 8-byte header length');
    expectIoError(() => readSafetensors(safetensorsFile(ok, f32([1, 2]), { headerLength: 5000 }), 'x'), /^x: header length 5000 runs past the end of the file/);
    expectIoError(() => readSafetensors(safetensorsFile('{"w": ', []), 'x'), /^x: header is not valid JSON/);
    expectIoError(() => readSafetensors(safetensorsFile([1, 2]), 'x'), 'x: header is not a JSON object');
    expectIoError(() => readSafetensors(safetensorsFile({ __metadata__: { a: 1 } }), 'x'), "x: '__metadata__' values must be strings; 'a' is 1");
    expectIoError(() => readSafetensors(safetensorsFile({ w: { dtype: 'Q8', shape: [1], data_offsets: [0, 1] } }, [0]), 'x'), /^x: tensor 'w': unsupported dtype 'Q8'; supported are /);
    expectIoError(() => readSafetensors(safetensorsFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32([1, 2])), 'x'),
      "x: tensor 'w': shape [3] of F32 needs 12 bytes, but data_offsets [0, 8] hold 8");
    expectIoError(() => readSafetensors(safetensorsFile({ w: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, f32([1, 2])), 'x'), "x: tensor 'w': data_offsets [8, 0] end before they begin");
    expectIoError(() => readSafetensors(safetensorsFile({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32([1])), 'x'), "x: tensor 'w': 'shape' is not a list of non-negative integers");
  });

  it('the tensors must tile the data buffer exactly: truncation, gaps, overlaps and trailing bytes', () => {
    expectIoError(() => readSafetensors(safetensorsFile(ok, f32([1])), 'x'), "x: tensor 'w' [0, 8] runs past the end of the 4-byte data buffer (is the file truncated?)");
    expectIoError(() => readSafetensors(safetensorsFile({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2])), 'x'),
      "x: bytes 0..4 of the data buffer belong to no tensor (a gap before 'w')");
    expectIoError(() => readSafetensors(safetensorsFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2])), 'x'),
      "x: tensors 'a' [0, 8] and 'b' [4, 8] overlap");
    expectIoError(() => readSafetensors(safetensorsFile(ok, f64([1, 2])), 'x'), 'x: the data buffer has 16 bytes but the tensors cover only 8 (trailing bytes)');
  });
});
