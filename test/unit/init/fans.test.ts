import { describe, expect, it } from 'vitest';
import { calculateCorrectFan, calculateFanInAndFanOut } from '../../../engine/init/fans';

describe('calculateFanInAndFanOut', () => {
  it('2-D: Linear layout [out_features, in_features]', () => {
    expect(calculateFanInAndFanOut([100, 10])).toEqual({ fanIn: 10, fanOut: 100 });
    expect(calculateFanInAndFanOut([10, 100])).toEqual({ fanIn: 100, fanOut: 10 });
    expect(calculateFanInAndFanOut([1, 1])).toEqual({ fanIn: 1, fanOut: 1 });
    expect(calculateFanInAndFanOut([0, 5])).toEqual({ fanIn: 5, fanOut: 0 });
  });

  it('3-D, 4-D and 5-D: multiply by the receptive field', () => {
    expect(calculateFanInAndFanOut([3, 4, 5])).toEqual({ fanIn: 20, fanOut: 15 });
    expect(calculateFanInAndFanOut([8, 3, 3, 3])).toEqual({ fanIn: 27, fanOut: 72 });
    expect(calculateFanInAndFanOut([4, 3, 2, 2, 2])).toEqual({ fanIn: 24, fanOut: 32 });
  });

  it("raises torch's error below 2 dimensions", () => {
    const message = 'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions';
    expect(() => calculateFanInAndFanOut([5])).toThrow(message);
    expect(() => calculateFanInAndFanOut([])).toThrow(message);
  });
});

describe('calculateCorrectFan', () => {
  it('picks fan_in or fan_out, case-insensitively', () => {
    expect(calculateCorrectFan([8, 3, 3, 3], 'fan_in')).toBe(27);
    expect(calculateCorrectFan([8, 3, 3, 3], 'fan_out')).toBe(72);
    expect(calculateCorrectFan([100, 10], 'FAN_OUT')).toBe(100);
  });

  it("raises torch's error for other modes (lower-cased, checked before the fans)", () => {
    expect(() => calculateCorrectFan([3, 4], 'fan_avg')).toThrow("Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']");
    expect(() => calculateCorrectFan([3, 4], 'FAN_AVG')).toThrow("Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']");
    expect(() => calculateCorrectFan([5], 'fan_avg')).toThrow("Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']");
  });
});
