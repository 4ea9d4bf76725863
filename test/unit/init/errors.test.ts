import { describe, expect, it } from 'vitest';
import { cppDouble, pythonStr, RuntimeError, ValueError } from '../../../engine/init/errors';

describe("numbers and values as torch's messages print them", () => {
  it.each([
    [1, '1'], [0.25, '0.25'], [1 / 3, '0.333333'], [-0.3333333333333333, '-0.333333'], [0.9544997361036416, '0.9545'],
    [123456, '123456'], [1234567, '1.23457e+06'], [1e-5, '1e-05'], [0.0001, '0.0001'], [2.5e-7, '2.5e-07'], [1e20, '1e+20'],
    [0, '0'], [NaN, 'nan'], [Infinity, 'inf'], [-Infinity, '-inf'],
  ])("C++ ostream prints %d as '%s'", (x, text) => expect(cppDouble(x)).toBe(text));

  it("Python's str()", () => {
    expect(pythonStr(true)).toBe('True');
    expect(pythonStr(false)).toBe('False');
    expect(pythonStr(null)).toBe('None');
    expect(pythonStr('0.2')).toBe('0.2');
    expect(pythonStr(NaN)).toBe('nan');
  });

  it('errors carry the Python exception name', () => {
    expect(new ValueError('x').name).toBe('ValueError');
    expect(new RuntimeError('x').name).toBe('RuntimeError');
    expect(new ValueError('x')).toBeInstanceOf(Error);
  });
});
