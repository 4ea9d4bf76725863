/**
 * `# weightscope:` comments: what a Python file cannot say about training.
 *
 *   # weightscope: data = {"csv": "train.csv", "target": "y", "task": "binary"}
 *   # weightscope: training = {"steps": 300, "batch_size": 64}
 *   # weightscope: seed = 3
 *
 * Each comment sets one model-file key (data, training, seed, init_from,
 * compare, name, description), its value written as in a `*.nn.json` file.
 * A comment inside a class, or in the comment block right above it (no blank
 * line between), applies to that model only; any other applies to every model in the file. Without `data`,
 * a model trains on a seeded synthetic task that matches its loss.
 */
import { parseLocated, type LocatedEntry } from '../engine/model/located';
import type { ModelDiagnostic } from '../engine/model/diagnostic';
import { shifted } from './located';
import type { SyntaxNode } from './parser';

export interface Directive {
  entry: LocatedEntry;
  /** The comment it came from. */
  start: number;
  end: number;
}

/** Keys the Python code itself defines: a directive may not override them. */
const FROM_CODE = new Set(['version', 'layers', 'input', 'loss', 'optimizer', 'init']);
const PREFIX = /^#\s*weightscope\s*:\s*/i;

export function readDirectives(root: SyntaxNode, text: string, diagnostics: ModelDiagnostic[]): Directive[] {
  const out: Directive[] = [];
  // Find the few candidates in the text, then keep those that are comments (not inside a string).
  const comments: SyntaxNode[] = [];
  for (const m of text.matchAll(/#\s*weightscope\s*:/gi)) {
    const node = root.descendantForIndex(m.index);
    if (node.type === 'comment' && node.startIndex === m.index) comments.push(node);
  }
  for (const c of comments) {
    const m = PREFIX.exec(c.text);
    if (!m) continue;
    const body = c.text.slice(m[0].length);
    const kv = /^([A-Za-z_]+)\s*=\s*/.exec(body);
    const range = { start: c.startIndex, end: c.endIndex };
    if (!kv) {
      diagnostics.push({ severity: 'warning', code: 'bad-directive', message: 'A "# weightscope:" comment reads key = value, e.g. # weightscope: data = {"synthetic": "binary"}.', range });
      continue;
    }
    const key = kv[1]!;
    const keyStart = c.startIndex + m[0].length;
    const keyRange = { start: keyStart, end: keyStart + key.length };
    if (FROM_CODE.has(key)) {
      diagnostics.push({ severity: 'warning', code: 'bad-directive', message: `"${key}" comes from the Python code; a "# weightscope:" comment cannot set it.`, range: keyRange });
      continue;
    }
    const valueText = body.slice(kv[0].length);
    const valueStart = keyStart + kv[0].length;
    const parsed = parseLocated(valueText, 'json');
    if (parsed.syntaxProblems.length > 0 || !parsed.root) {
      const p = parsed.syntaxProblems[0];
      diagnostics.push({ severity: 'error', code: 'syntax', message: `${p?.message ?? 'JSON syntax error'} in the value of "# weightscope: ${key}" (write it as in a *.nn.json file).`, range: p ? { start: valueStart + p.range.start, end: Math.min(c.endIndex, valueStart + p.range.end) } : range });
      continue;
    }
    out.push({ entry: { key, keyRange, value: shifted(parsed.root, valueStart) }, start: c.startIndex, end: c.endIndex });
  }
  return out;
}

/** The directives for a model whose definition spans `[start, end)`: its own, then the file-wide ones it does not override. */
export function directivesFor(all: readonly Directive[], start: number, end: number, text: string, owned: (d: Directive) => boolean): LocatedEntry[] {
  const mine = all.filter((d) => (d.start >= start && d.end <= end) || justAbove(d, start, text));
  const shared = all.filter((d) => !owned(d));
  // One value per key: the first of the model's own (a second, say one above the class and one inside its
  // header, would be read one way by the decoder and another by the converter), then the file-wide ones.
  const out: LocatedEntry[] = [];
  for (const d of [...mine, ...shared]) if (!out.some((e) => e.key === d.entry.key)) out.push(d.entry);
  return out;
}

/** In the comment block right above the definition: only comment or decorator lines in between, no blank line. */
export function justAbove(d: Directive, start: number, text: string): boolean {
  if (d.end > start) return false;
  const between = text.slice(d.end, start).split('\n').slice(1, -1);
  return between.every((line) => line.trim().startsWith('#') || line.trim().startsWith('@'));
}
