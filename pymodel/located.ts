/**
 * Builds the model-file tree (`Located`, as a `*.nn.json` file parses to)
 * from Python syntax: every value carries the range of the Python code it
 * came from, so that the model decoder and the lints report on the Python
 * source exactly as they do on a model file.
 */
import type { Located, LocatedEntry, SourceRange } from '../engine/model/located';
import type { SyntaxNode } from './parser';
import { rangeOf } from './syntax';

type Where = SyntaxNode | SourceRange;

const toRange = (where: Where): SourceRange => ('startIndex' in where ? rangeOf(where) : where);

export function scalar(value: string | number | boolean | null, where: Where): Located {
  return { kind: 'scalar', range: toRange(where), value };
}

export function object(where: Where, entries: LocatedEntry[]): Extract<Located, { kind: 'object' }> {
  return { kind: 'object', range: toRange(where), entries };
}

export function array(where: Where, items: Located[]): Extract<Located, { kind: 'array' }> {
  return { kind: 'array', range: toRange(where), items };
}

export function entry(key: string, keyWhere: Where, value: Located): LocatedEntry {
  return { key, keyRange: toRange(keyWhere), value };
}

/** Sets (or replaces) `key` in an object. */
export function setEntry(obj: Extract<Located, { kind: 'object' }>, e: LocatedEntry): void {
  const i = obj.entries.findIndex((x) => x.key === e.key);
  if (i === -1) obj.entries.push(e);
  else obj.entries[i] = e;
}

/** Shifts every range of a tree parsed from a fragment (a `# weightscope:` comment) to its place in the file. */
export function shifted(node: Located, by: number): Located {
  const r = (x: SourceRange): SourceRange => ({ start: x.start + by, end: x.end + by });
  switch (node.kind) {
    case 'object':
      return { kind: 'object', range: r(node.range), entries: node.entries.map((e) => ({ key: e.key, keyRange: r(e.keyRange), value: shifted(e.value, by) })) };
    case 'array':
      return { kind: 'array', range: r(node.range), items: node.items.map((i) => shifted(i, by)) };
    default:
      return { kind: 'scalar', range: r(node.range), value: node.value };
  }
}
