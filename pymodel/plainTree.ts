/**
 * The syntax tree as plain JavaScript objects. web-tree-sitter's `Node`
 * answers every question (a field, a child, the type) with a call into the
 * WebAssembly module and a fresh wrapper object; the resolver asks many, so
 * the tree is copied once, with one cursor walk, into these nodes. They offer
 * the part of `Node`'s interface the front end uses, with the same meaning.
 */
import type { Tree } from 'web-tree-sitter';

const NO_CHILDREN: readonly PlainNode[] = [];

export class PlainNode {
  parent: PlainNode | null = null;
  /** Filled by plainTree; leaves share one empty list. */
  children: PlainNode[] = NO_CHILDREN as PlainNode[];
  hasError = false;
  private named: PlainNode[] | undefined;
  /**
   * Memo slots for readers that ask the same node again and again (per layer,
   * per parameter): a call's sorted arguments, a dotted name's qualified name.
   * Fields rather than WeakMaps: cheaper to read, and gone with the tree.
   */
  memoArguments: unknown = undefined;
  memoQualified: string | null | undefined = undefined;

  constructor(
    readonly id: number,
    readonly type: string,
    /** −1 for an anonymous token (an operator, keyword or punctuation): its text is its type. */
    readonly startIndex: number,
    readonly endIndex: number,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    private readonly source: string,
    /** This node's field name in its parent (`left`, `function`, …). */
    readonly field: string | null,
  ) {}

  get isError(): boolean {
    return this.type === 'ERROR';
  }

  get text(): string {
    if (this.startIndex < 0) return this.type;
    // Asked often for the same small nodes (names, operators): slice once.
    this.textCache ??= this.source.slice(this.startIndex, this.endIndex);
    return this.textCache;
  }

  private textCache: string | undefined = undefined;

  get namedChildren(): PlainNode[] {
    this.named ??= this.children.filter((c) => c.isNamed);
    return this.named;
  }

  namedChild(index: number): PlainNode | null {
    return this.namedChildren[index] ?? null;
  }

  childForFieldName(name: string): PlainNode | null {
    for (const c of this.children) if (c.field === name) return c;
    return null;
  }

  childrenForFieldName(name: string): PlainNode[] {
    return this.children.filter((c) => c.field === name);
  }

  descendantsOfType(type: string): PlainNode[] {
    const out: PlainNode[] = [];
    const walk = (n: PlainNode): void => {
      for (const c of n.children) {
        if (c.type === type) out.push(c);
        walk(c);
      }
    };
    walk(this);
    return out;
  }

  /** The smallest node that spans `offset`. */
  descendantForIndex(offset: number): PlainNode {
    let node: PlainNode = this;
    for (;;) {
      const spans = node.children.filter((c) => c.startIndex >= 0);
      const next = spans.find((c) => c.startIndex <= offset && offset < c.endIndex)
        ?? spans.find((c) => c.startIndex <= offset && offset <= c.endIndex);
      if (!next) return node;
      node = next;
    }
  }
}

/** Copies a parsed tree into plain nodes (one cursor walk: no wrapper objects). */
export function plainTree(tree: Tree, source: string): PlainNode {
  const language = tree.language;
  const types = language.types;
  const fieldNames = language.fields;
  const named = languageNamedTypes(language);
  // Missing nodes only occur in a tree with errors: otherwise there is no need to ask.
  const mayMiss = tree.rootNode.hasError;
  const cursor = tree.walk();
  let id = 0;
  // Each cursor getter is a call into WebAssembly, so ask only what is used. Anonymous tokens (keywords,
  // punctuation) are kept only where they are read, as operators and slice colons, by their type, which
  // is their text; and when missing (a syntax error to report).
  // The error symbol (65535) is not in the language's type list: ask the cursor for its name and kind.
  const make = (parent: PlainNode | null): PlainNode | undefined => {
    const typeId = cursor.nodeTypeId;
    const known = typeId < types.length;
    const isNamed = known ? named[typeId]! : cursor.nodeIsNamed;
    const missing = mayMiss && cursor.nodeIsMissing;
    if (!isNamed && !missing && parent && !TOKEN_PARENTS.has(parent.type)) return undefined;
    const type = known ? types[typeId]! : cursor.nodeType;
    // Anonymous tokens carry a field only as an operator (binary, unary and boolean operators, `+=`).
    const field = parent && (isNamed || TOKEN_PARENTS.has(parent.type)) ? fieldNames[cursor.currentFieldId] ?? null : null;
    if (isNamed || missing) return new PlainNode(id++, type, cursor.startIndex, cursor.endIndex, isNamed, missing, source, field);
    return new PlainNode(id++, type, -1, -1, false, false, source, field);
  };
  const root = make(null)!;
  try {
    if (!cursor.gotoFirstChild()) {
      finish(root);
      return root;
    }
    // The cursor is on a child of `parent`.
    let parent = root;
    for (;;) {
      const node = make(parent);
      if (node) {
        attach(parent, node);
        // Tokens have no children: do not ask (a failed gotoFirstChild is a call like any other).
        if (!(TOKENS.has(node.type) || (!node.isNamed && !node.isError)) && cursor.gotoFirstChild()) {
          parent = node;
          continue;
        }
        finish(node);
      }
      while (!cursor.gotoNextSibling()) {
        finish(parent);
        if (parent === root) return root;
        cursor.gotoParent();
        parent = parent.parent!;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** Named node types of the Python grammar that are tokens (leaves); anonymous nodes are tokens too. */
const TOKENS = new Set(['identifier', 'integer', 'float', 'true', 'false', 'none', 'comment', 'string_start', 'string_content', 'string_end', 'escape_sequence', 'ellipsis', 'line_continuation', 'type_conversion', 'keyword_separator', 'positional_separator']);

/** Nodes whose anonymous tokens are read: operators, and the colons of a slice. */
const TOKEN_PARENTS = new Set(['binary_operator', 'unary_operator', 'boolean_operator', 'not_operator', 'augmented_assignment', 'comparison_operator', 'slice']);

const namedTypes = new WeakMap<Tree['language'], boolean[]>();

/** Which of the language's node types are named, asked once per language. */
function languageNamedTypes(language: Tree['language']): boolean[] {
  let table = namedTypes.get(language);
  if (!table) {
    table = language.types.map((_, i) => language.nodeTypeIsNamed(i));
    namedTypes.set(language, table);
  }
  return table;
}

function attach(parent: PlainNode, child: PlainNode): PlainNode {
  child.parent = parent;
  if (parent.children === NO_CHILDREN) parent.children = [];
  parent.children.push(child);
  return child;
}

/** A node has an error if it is one, is missing, or holds one. */
function finish(node: PlainNode): void {
  if (node.isError || node.isMissing || node.children.some((c) => c.hasError)) node.hasError = true;
}
