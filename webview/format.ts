/** Number formatting for tables and axes: 4 significant digits, exponent form outside [1e-3, 1e5). */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  // Counts: every digit (toPrecision(4) would write 16384 as 1.638e+4). Not beyond 1e7: every float that
  // large is an integer, and a diverging norm such as 7.559251e14 reads as 7.559e+14, not 755,925,100,000,000.
  if (Number.isInteger(x) && a < 1e7) return formatCount(x).replace('-', '−');
  const text = a >= 1e-3 && a < 1e5 ? x.toPrecision(4).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '') : x.toExponential(3).replace(/\.?0+e/, 'e');
  return text.replace(/-/g, '−'); // the sign and the exponent's sign alike
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
