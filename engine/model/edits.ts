/**
 * Text edits on model files, for quick fixes. Each helper produces the edit
 * in the file's own syntax (JSON, YAML block style, or YAML flow style) and
 * keeps the surrounding indentation, so a fix reads as if typed by hand.
 */
import type { Located, SourceLanguage, SourceRange } from './located';

export interface TextEdit {
  range: SourceRange;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  /** The fix a user most likely wants (VS Code's "preferred" quick fix). */
  preferred?: boolean;
}

/** A scalar (or a small object/array) in the file's syntax. */
export function formatValue(value: unknown, language: SourceLanguage): string {
  if (language === 'yaml') return yamlFlow(value);
  return jsonInline(value);
}

function jsonInline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonInline).join(', ')}]`;
  if (value && typeof value === 'object') return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${jsonInline(v)}`).join(', ')} }`;
  return JSON.stringify(value);
}

function yamlFlow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(yamlFlow).join(', ')}]`;
  if (value && typeof value === 'object') return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${yamlFlow(v)}`).join(', ')} }`;
  if (typeof value === 'string' && /^[A-Za-z_][A-Za-z0-9_.]*$/.test(value) && !/^(true|false|null|yes|no|on|off)$/i.test(value)) return value;
  return JSON.stringify(value);
}

export function replaceNode(node: Located, value: unknown, language: SourceLanguage): TextEdit {
  return { range: node.range, newText: formatValue(value, language) };
}

/** Start of the line holding `offset`, and that line's leading white space. */
function lineInfo(text: string, offset: number): { lineStart: number; indent: string } {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  return { lineStart, indent };
}

/** Is `item` an entry of a YAML block sequence (`- item`) rather than a flow one (`[a, b]`)? */
function isYamlBlockItem(text: string, item: Located): boolean {
  let i = item.range.start - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  return text[i] === '-';
}

/** Inserts `value` into `array` before index `index` (or at the end when index = length). */
export function insertArrayItem(text: string, array: Extract<Located, { kind: 'array' }>, index: number, value: unknown, language: SourceLanguage): TextEdit {
  const formatted = formatValue(value, language);
  const items = array.items;
  if (items.length === 0) {
    // `[]` in either syntax: put the value between the brackets.
    return { range: { start: array.range.start + 1, end: array.range.end - 1 }, newText: formatted };
  }
  const yamlBlock = language === 'yaml' && isYamlBlockItem(text, items[0]!);
  if (index < items.length) {
    const before = items[index]!;
    if (yamlBlock) {
      const { lineStart, indent } = lineInfo(text, before.range.start);
      return { range: { start: lineStart, end: lineStart }, newText: `${indent}- ${formatted}\n` };
    }
    const sameLine = text.lastIndexOf('\n', before.range.start - 1) < (index > 0 ? items[index - 1]!.range.end : array.range.start);
    const { indent } = lineInfo(text, before.range.start);
    return { range: { start: before.range.start, end: before.range.start }, newText: sameLine ? `${formatted}, ` : `${formatted},\n${indent}` };
  }
  const last = items[items.length - 1]!;
  if (yamlBlock) {
    const { indent: dashIndent } = lineInfo(text, last.range.start);
    const end = text.indexOf('\n', last.range.end - 1);
    const at = end === -1 ? text.length : end;
    return { range: { start: at, end: at }, newText: `\n${dashIndent}- ${formatted}` };
  }
  const sameLine = text.lastIndexOf('\n', last.range.start - 1) < array.range.start;
  const { indent } = lineInfo(text, last.range.start);
  return { range: { start: last.range.end, end: last.range.end }, newText: sameLine ? `, ${formatted}` : `,\n${indent}${formatted}` };
}

/** Adds `key: value` to an object that does not have `key` yet. */
export function insertObjectEntry(text: string, obj: Extract<Located, { kind: 'object' }>, key: string, value: unknown, language: SourceLanguage): TextEdit {
  const formatted = formatValue(value, language);
  const entries = obj.entries;
  const isFlow = language === 'json' || text[obj.range.start] === '{';
  const pair = language === 'json' ? `${JSON.stringify(key)}: ${formatted}` : `${key}: ${formatted}`;
  if (entries.length === 0) {
    return { range: { start: obj.range.start + 1, end: obj.range.start + 1 }, newText: ` ${pair} ` };
  }
  const last = entries[entries.length - 1]!;
  if (isFlow) {
    const sameLine = text.lastIndexOf('\n', last.keyRange.start - 1) < obj.range.start;
    const { indent } = lineInfo(text, last.keyRange.start);
    return { range: { start: last.value.range.end, end: last.value.range.end }, newText: sameLine ? `, ${pair}` : `,\n${indent}${pair}` };
  }
  // YAML block map: a new line at the keys' indentation, after the last entry's value.
  const { indent } = lineInfo(text, last.keyRange.start);
  const end = text.indexOf('\n', Math.max(last.value.range.end - 1, last.keyRange.end));
  const at = end === -1 ? text.length : end;
  return { range: { start: at, end: at }, newText: `\n${indent}${pair}` };
}
