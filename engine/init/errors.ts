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
