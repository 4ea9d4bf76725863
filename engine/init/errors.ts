/**
 * The errors torch.nn.init raises. torch raises Python `ValueError`s (and, from
 * ATen, `RuntimeError`s); we keep the class names so that messages shown to
 * users read as torch's, with the same text.
 */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

export class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** How Python's str() prints a value inside torch's messages (True/False/None, strings bare). */
export function pythonStr(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'number') return pythonFloatOrInt(value);
  return String(value);
}

function pythonFloatOrInt(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return String(x);
}

/**
 * A double as C++'s `operator<<` prints it (6 significant digits, %g style),
 * which is how ATen's error messages show numbers: 1/3 → "0.333333",
 * 1e-5 → "1e-05", 2 → "2".
 */
export function cppDouble(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, expText] = x.toExponential(5).split('e') as [string, string];
  const exponent = Number(expText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${stripZeros(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return stripZeros(x.toFixed(5 - exponent));
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
