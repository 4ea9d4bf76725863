/**
 * A syntax-neutral value tree that remembers where each value came from, so
 * that the model decoder can put every diagnostic on the exact range of the
 * offending key or value, whether the file is JSON(-with-comments) or YAML.
 *
 * Offsets are UTF-16 code-unit offsets into the source text (what both
 * `jsonc-parser` and the `yaml` package report, and what VS Code's
 * `TextDocument.positionAt` takes).
 */
import * as jsonc from 'jsonc-parser';
import * as YAML from 'yaml';

export interface SourceRange {
  start: number;
  end: number;
}

export type Located =
  | { kind: 'object'; range: SourceRange; entries: LocatedEntry[] }
  | { kind: 'array'; range: SourceRange; items: Located[] }
  | { kind: 'scalar'; range: SourceRange; value: string | number | boolean | null };

export interface LocatedEntry {
  key: string;
  keyRange: SourceRange;
  value: Located;
}

export interface SyntaxProblem {
  message: string;
  range: SourceRange;
}

export interface LocatedDocument {
  root: Located | undefined;
  syntaxProblems: SyntaxProblem[];
}

export type SourceLanguage = 'json' | 'yaml';

export function languageOfPath(path: string): SourceLanguage {
  return /\.ya?ml$/i.test(path) ? 'yaml' : 'json';
}

export function parseLocated(text: string, language: SourceLanguage): LocatedDocument {
  return language === 'yaml' ? parseYaml(text) : parseJson(text);
}

function parseJson(text: string): LocatedDocument {
  const errors: jsonc.ParseError[] = [];
  const tree = jsonc.parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const syntaxProblems = errors.map((e) => ({
    message: `JSON syntax error: ${jsonc.printParseErrorCode(e.error)}`,
    range: { start: e.offset, end: e.offset + Math.max(1, e.length) },
  }));
  return { root: tree ? fromJsonNode(tree, 0, syntaxProblems) : undefined, syntaxProblems };
}

/**
 * Nesting deeper than any model needs (a deep module tree is ~20 levels). The
 * tree is converted, and later walked, recursively: a hostile file 3,000 levels
 * deep overflowed the stack with no position. Deeper values are cut off with a
 * syntax problem on the first one.
 */
export const MAX_NESTING = 256;

function tooDeep(range: SourceRange, problems: SyntaxProblem[]): Located {
  problems.push({ message: `Values are nested more than ${MAX_NESTING} levels deep here; Weightscope reads no deeper.`, range: { start: range.start, end: range.start + 1 } });
  return { kind: 'scalar', range, value: null };
}

function fromJsonNode(node: jsonc.Node, depth: number, problems: SyntaxProblem[]): Located {
  const range = { start: node.offset, end: node.offset + node.length };
  if (depth >= MAX_NESTING && (node.type === 'object' || node.type === 'array')) return tooDeep(range, problems);
  switch (node.type) {
    case 'object': {
      const entries: LocatedEntry[] = [];
      const seen = new Set<string>();
      for (const prop of node.children ?? []) {
        const [keyNode, valueNode] = prop.children ?? [];
        if (!keyNode || !valueNode) continue; // an incomplete property is already a syntax error
        const key = String(keyNode.value);
        // JSON.parse (and Python's json) keep the last value, Weightscope's lookups the first: the file is ambiguous.
        // YAML files get the same error from the YAML parser (uniqueKeys).
        if (seen.has(key)) problems.push({ message: `Duplicate key "${key}": readers disagree on which value counts; keep one.`, range: { start: keyNode.offset, end: keyNode.offset + keyNode.length } });
        seen.add(key);
        entries.push({
          key: String(keyNode.value),
          keyRange: { start: keyNode.offset, end: keyNode.offset + keyNode.length },
          value: fromJsonNode(valueNode, depth + 1, problems),
        });
      }
      return { kind: 'object', range, entries };
    }
    case 'array':
      return { kind: 'array', range, items: (node.children ?? []).map((child) => fromJsonNode(child, depth + 1, problems)) };
    default:
      return { kind: 'scalar', range, value: node.value as string | number | boolean | null };
  }
}

function parseYaml(text: string): LocatedDocument {
  const doc = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const syntaxProblems = doc.errors.map((e) => ({
    message: `YAML syntax error: ${e.message.split('\n')[0]}`,
    range: { start: e.pos[0], end: Math.max(e.pos[0] + 1, e.pos[1]) },
  }));
  const root = doc.contents ? fromYamlNode(doc.contents, { start: 0, end: 0 }, 0, syntaxProblems) : undefined;
  return { root, syntaxProblems };
}

function yamlRange(node: YAML.Node | null | undefined, fallback: SourceRange): SourceRange {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : fallback;
}

function fromYamlNode(node: unknown, fallback: SourceRange, depth: number, problems: SyntaxProblem[]): Located {
  if (depth >= MAX_NESTING && (YAML.isMap(node) || YAML.isSeq(node))) return tooDeep(yamlRange(node, fallback), problems);
  if (YAML.isMap(node)) {
    const range = yamlRange(node, fallback);
    const entries: LocatedEntry[] = [];
    for (const pair of node.items) {
      const keyNode = YAML.isNode(pair.key) ? pair.key : undefined;
      const keyRange = yamlRange(keyNode, range);
      const key = YAML.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      entries.push({ key, keyRange, value: fromYamlNode(pair.value, keyRange, depth + 1, problems) });
    }
    return { kind: 'object', range, entries };
  }
  if (YAML.isSeq(node)) {
    const range = yamlRange(node, fallback);
    return { kind: 'array', range, items: node.items.map((item) => fromYamlNode(item, range, depth + 1, problems)) };
  }
  if (YAML.isScalar(node)) {
    const v = node.value;
    const value = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : v === null ? null : String(v);
    return { kind: 'scalar', range: yamlRange(node, fallback), value };
  }
  if (YAML.isAlias(node)) return { kind: 'scalar', range: yamlRange(node, fallback), value: null };
  // `key:` with nothing after it: a null at the key's position.
  return { kind: 'scalar', range: fallback, value: null };
}

/** Plain JavaScript value of a located tree (for tooling that needs no ranges). */
export function toPlain(node: Located): unknown {
  switch (node.kind) {
    case 'object':
      return Object.fromEntries(node.entries.map((e) => [e.key, toPlain(e.value)]));
    case 'array':
      return node.items.map(toPlain);
    default:
      return node.value;
  }
}

/** The node at a path of keys and indices (`['layers', 2, 'type']`), if there is one. */
export function nodeAt(root: Located | undefined, path: readonly (string | number)[]): Located | undefined {
  let node = root;
  for (const step of path) {
    if (!node) return undefined;
    if (typeof step === 'number') node = node.kind === 'array' ? node.items[step] : undefined;
    else node = node.kind === 'object' ? node.entries.find((e) => e.key === step)?.value : undefined;
  }
  return node;
}

/** The object entry at a path (its last step is the key), for ranges that should cover the key. */
export function entryAt(root: Located | undefined, path: readonly (string | number)[]): LocatedEntry | undefined {
  const parent = nodeAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  return parent?.kind === 'object' ? parent.entries.find((e) => e.key === key) : undefined;
}
