/**
 * The Python parser: tree-sitter's Python grammar, run by web-tree-sitter's
 * WebAssembly build. Nothing here evaluates Python: the tree is read as data.
 *
 * Loading is asynchronous (two .wasm modules); after that, parsing is
 * synchronous and incremental: `PythonDocument.update` applies an edit to the
 * previous tree and re-parses only what changed.
 */
import { Language, Parser, type Point, type Tree } from 'web-tree-sitter';

export type { Tree as SyntaxTree } from 'web-tree-sitter';
/** The nodes the front end reads: plain copies of tree-sitter's (see plainTree.ts). */
export type { PlainNode as SyntaxNode } from './plainTree';

/** Where the two .wasm files are: file paths (Node) or their bytes. */
export interface WasmLocation {
  /** web-tree-sitter's runtime, `tree-sitter.wasm`. */
  runtime: string;
  /** The grammar, `tree-sitter-python.wasm`. */
  grammar: string | Uint8Array;
}

export class PythonParser {
  private constructor(private readonly parser: Parser) {}

  /** Loads both WebAssembly modules once per location; later calls share the same parser. */
  static load(wasm: WasmLocation): Promise<PythonParser> {
    const key = typeof wasm.grammar === 'string' ? `${wasm.runtime}|${wasm.grammar}` : wasm.runtime;
    let loading = loaded.get(key);
    if (!loading) {
      loading = (async () => {
        await Parser.init({ locateFile: () => wasm.runtime });
        const language = await Language.load(wasm.grammar);
        const parser = new Parser();
        parser.setLanguage(language);
        return new PythonParser(parser);
      })();
      loaded.set(key, loading);
      loading.catch(() => loaded.delete(key));
    }
    return loading;
  }

  /** A full parse (or an incremental one, given the edited previous tree). */
  parse(text: string, previous?: Tree): Tree {
    const tree = this.parser.parse(text, previous ?? null);
    if (!tree) throw new Error('the Python parser returned no tree');
    return tree;
  }
}

const loaded = new Map<string, Promise<PythonParser>>();

/** One text change, in the editor's terms: replace `[start, start + deleted)` with `inserted`. */
export interface TextChange {
  start: number;
  deleted: number;
  inserted: string;
}

/**
 * A Python document's current text and syntax tree, kept up to date
 * incrementally. Offsets are UTF-16 code units, as in VS Code and as
 * web-tree-sitter reports them for JavaScript strings.
 */
export class PythonDocument {
  private tree: Tree;

  constructor(private readonly parser: PythonParser, private text: string) {
    this.tree = parser.parse(text);
  }

  get currentText(): string {
    return this.text;
  }

  get currentTree(): Tree {
    return this.tree;
  }

  /** Applies changes (in the order given, each against the text left by the previous one) and re-parses. */
  update(changes: readonly TextChange[], newText: string): Tree {
    let text = this.text;
    for (const c of changes) {
      const oldEnd = c.start + c.deleted;
      const next = text.slice(0, c.start) + c.inserted + text.slice(oldEnd);
      this.tree.edit({
        startIndex: c.start,
        oldEndIndex: oldEnd,
        newEndIndex: c.start + c.inserted.length,
        startPosition: pointAt(text, c.start),
        oldEndPosition: pointAt(text, oldEnd),
        newEndPosition: pointAt(next, c.start + c.inserted.length),
      });
      text = next;
    }
    // If the edits do not reproduce the editor's text (a missed event), start over.
    const previous = text === newText ? this.tree : undefined;
    const tree = this.parser.parse(newText, previous);
    if (previous) previous.delete();
    else this.tree.delete();
    this.tree = tree;
    this.text = newText;
    return tree;
  }

  dispose(): void {
    this.tree.delete();
  }
}

function pointAt(text: string, offset: number): Point {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let row = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) row++;
  return { row, column: offset - lineStart };
}
