import type { ModelDiagnostic } from '../engine/model';

/** Offsets at which each line starts, to turn an offset into line:column. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of an offset (binary search over line starts). */
export function lineColumn(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

/** `file:line:col: severity code message`, the format compilers use, so editors and CI logs link it. */
export function formatDiagnostic(file: string, starts: number[], d: ModelDiagnostic): string {
  const { line, column } = lineColumn(starts, d.range.start);
  return `${file}:${line}:${column}: ${d.severity} ${d.code} ${d.message}`;
}
