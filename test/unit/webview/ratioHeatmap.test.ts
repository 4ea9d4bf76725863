/** The heat map's log colour scale, theme colours and column lookup. */
import { describe, expect, it } from 'vitest';
import { colourDomain, columnOf, logPosition, parseColour, rampColour, rowHeight, widths } from '../../../webview/training/ratioHeatmap';

describe('log colour scale centred on 1e-3', () => {
  it('spans whole decades symmetric around 1e-3 that hold the data, one at least', () => {
    expect(colourDomain(undefined).lo).toBeCloseTo(1e-4, 18);
    expect(colourDomain(undefined).hi).toBeCloseTo(1e-2, 15);
    const d = colourDomain({ lo: 2e-4, hi: 5e-3 });
    expect(d.lo).toBeCloseTo(1e-4, 18);
    expect(d.hi).toBeCloseTo(1e-2, 15);
    const wide = colourDomain({ lo: 3e-7, hi: 2e-3 });
    expect(wide.lo).toBeCloseTo(1e-7, 20);
    expect(wide.hi).toBeCloseTo(10, 9);
  });
  it('positions values by their logarithm, clamped, NaN for 0 and NaN', () => {
    const d = { lo: 1e-5, hi: 1e-1 };
    expect(logPosition(1e-3, d)).toBeCloseTo(0.5, 12);
    expect(logPosition(1e-4, d)).toBeCloseTo(0.25, 12);
    expect(logPosition(5, d)).toBe(1);
    expect(logPosition(1e-9, d)).toBe(0);
    expect(logPosition(Infinity, d)).toBe(1);
    expect(logPosition(0, d)).toBeNaN();
    expect(logPosition(NaN, d)).toBeNaN();
  });
  it('ramps low → centre → high linearly between the stops', () => {
    const stops: [[number, number, number], [number, number, number], [number, number, number]] = [[0, 0, 255], [255, 255, 0], [255, 0, 0]];
    expect(rampColour(0, stops)).toEqual([0, 0, 255]);
    expect(rampColour(0.25, stops)).toEqual([128, 128, 128]);
    expect(rampColour(0.5, stops)).toEqual([255, 255, 0]);
    expect(rampColour(1, stops)).toEqual([255, 0, 0]);
  });
  it('reads the theme\'s colours, falling back when a variable is unset', () => {
    expect(parseColour(' #3794ff', [0, 0, 0])).toEqual([0x37, 0x94, 0xff]);
    expect(parseColour('#abc', [0, 0, 0])).toEqual([0xaa, 0xbb, 0xcc]);
    expect(parseColour('#3794ff80', [0, 0, 0])).toEqual([0x37, 0x94, 0xff]);
    expect(parseColour('rgb(1, 2, 3)', [0, 0, 0])).toEqual([1, 2, 3]);
    expect(parseColour('', [9, 9, 9])).toEqual([9, 9, 9]);
  });
});

describe('layout', () => {
  it('the canvas fits the panel, labels taking 30% within 120–240 pixels', () => {
    expect(widths(500)).toEqual({ width: 500, label: 150, plot: 342 });
    expect(widths(2000)).toEqual({ width: 1200, label: 240, plot: 952 });
    expect(widths(100)).toEqual({ width: 360, label: 120, plot: 232 });
  });
  it('rows share the plot height within 3–16 pixels', () => {
    expect(rowHeight(10)).toBe(16);
    expect(rowHeight(52)).toBe(10);
    expect(rowHeight(150)).toBe(3);
    expect(rowHeight(1000)).toBe(3);
  });
  it('the scrubbed step\'s column: the one spanning it, else the nearest', () => {
    const cols = [{ first: 1, last: 3, records: 3 }, { first: 10, last: 20, records: 2 }, { first: 40, last: 40, records: 1 }];
    expect(columnOf(cols, 2)).toBe(0);
    expect(columnOf(cols, 15)).toBe(1);
    expect(columnOf(cols, 7)).toBe(1);
    expect(columnOf(cols, 33)).toBe(2);
  });
});
