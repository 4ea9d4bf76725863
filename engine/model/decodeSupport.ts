/**
 * The decoder's small typed readers: each reads one key of a located object
 * and reports a wrong kind of value on that value's exact range.
 */
import type { Located, LocatedEntry, SourceRange } from './located';
import type { ModelDiagnostic, Severity } from './diagnostic';

export type LocatedObject = Extract<Located, { kind: 'object' }>;


export function entry(obj: LocatedObject, key: string): LocatedEntry | undefined {
  return obj.entries.find((e) => e.key === key);
}

export function optionalNumber(d: DiagnosticSink, obj: LocatedObject, key: string): number | undefined {
  const e = entry(obj, key);
  if (!e) return undefined;
  if (e.value.kind === 'scalar' && typeof e.value.value === 'number' && Number.isFinite(e.value.value)) return e.value.value;
  d.error('type', `"${key}" must be a number.`, e.value.range);
  return undefined;
}

export function optionalInteger(d: DiagnosticSink, obj: LocatedObject, key: string, min: number): number | undefined {
  const v = optionalNumber(d, obj, key);
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min) {
    d.error('type', `"${key}" must be an integer ≥ ${min}.`, entry(obj, key)!.value.range);
    return undefined;
  }
  return v;
}

export function optionalString(d: DiagnosticSink, obj: LocatedObject, key: string): string | undefined {
  const e = entry(obj, key);
  if (!e) return undefined;
  if (e.value.kind === 'scalar' && typeof e.value.value === 'string') return e.value.value;
  d.error('type', `"${key}" must be a string.`, e.value.range);
  return undefined;
}

export function optionalBoolean(d: DiagnosticSink, obj: LocatedObject, key: string): boolean | undefined {
  const e = entry(obj, key);
  if (!e) return undefined;
  if (e.value.kind === 'scalar' && typeof e.value.value === 'boolean') return e.value.value;
  d.error('type', `"${key}" must be true or false.`, e.value.range);
  return undefined;
}

export class DiagnosticSink {
  readonly items: ModelDiagnostic[] = [];
  errorCount = 0;

  report(severity: Severity, code: string, message: string, range: SourceRange): void {
    if (severity === 'error') this.errorCount++;
    this.items.push({ severity, code, message, range });
  }
  error(code: string, message: string, range: SourceRange): void {
    this.report('error', code, message, range);
  }
  warning(code: string, message: string, range: SourceRange): void {
    this.report('warning', code, message, range);
  }

  expectObject(node: Located, what: string): LocatedObject | undefined {
    if (node.kind === 'object') return node;
    this.error('type', `The ${what} must be an object ({ … }).`, node.range);
    return undefined;
  }

  positiveInteger(node: Located, key: string): number | undefined {
    if (node.kind === 'scalar' && typeof node.value === 'number' && Number.isInteger(node.value) && node.value > 0) return node.value;
    this.error('type', `"${key}" must be a positive integer.`, node.range);
    return undefined;
  }

  warnUnknownKeys(entries: LocatedEntry[], known: Set<string>, where: string): void {
    for (const e of entries) {
      if (!known.has(e.key)) this.warning('unknown-key', `Unknown key "${e.key}" in ${where}; it is ignored.`, e.keyRange);
    }
  }
}
