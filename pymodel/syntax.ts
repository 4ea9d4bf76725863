/** Small readers over tree-sitter's Python nodes (field names as in the grammar). */
import type { SourceRange } from '../engine/model/located';
import type { SyntaxNode } from './parser';

export function rangeOf(node: SyntaxNode): SourceRange {
  return { start: node.startIndex, end: node.endIndex };
}

/** Children that are not comments (tree-sitter keeps comments as named nodes). */
export function statements(block: SyntaxNode | null | undefined): SyntaxNode[] {
  return block ? block.namedChildren.filter((n): n is SyntaxNode => n !== null && n.type !== 'comment') : [];
}

/** `x = expr` / `self.fc = expr` (a plain assignment, possibly annotated): its target and value. */
export function assignmentOf(statement: SyntaxNode): { left: SyntaxNode; right: SyntaxNode } | undefined {
  const inner = statement.type === 'expression_statement' ? statement.namedChild(0) : statement;
  if (inner?.type !== 'assignment') return undefined;
  const left = inner.childForFieldName('left');
  const right = inner.childForFieldName('right');
  return left && right ? { left, right } : undefined;
}

/** The expression of an expression statement that is not an assignment (a call, typically). */
export function expressionOf(statement: SyntaxNode): SyntaxNode | undefined {
  if (statement.type !== 'expression_statement') return undefined;
  const inner = statement.namedChild(0);
  return inner && inner.type !== 'assignment' && inner.type !== 'augmented_assignment' ? inner : undefined;
}

/** Unwraps `(expr)`. */
export function unparen(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChild(0)) n = n.namedChild(0)!;
  return n;
}

/** `a.b.c` as ['a', 'b', 'c'], or undefined for anything that is not a plain dotted name. */
export function dottedParts(node: SyntaxNode): string[] | undefined {
  const n = unparen(node);
  if (n.type === 'identifier') return [n.text];
  if (n.type === 'attribute') {
    const object = n.childForFieldName('object');
    const attr = n.childForFieldName('attribute');
    const head = object ? dottedParts(object) : undefined;
    return head && attr ? [...head, attr.text] : undefined;
  }
  return undefined;
}

export interface CallArguments {
  positional: SyntaxNode[];
  keywords: Map<string, { name: SyntaxNode; value: SyntaxNode }>;
  /** `*args` / `**kwargs`: arguments we cannot see. */
  splat: SyntaxNode | undefined;
}

/** Calls are read many times (per layer, per parameter): each node's arguments are sorted once. */
export function callArguments(call: SyntaxNode): CallArguments {
  call.memoArguments ??= readArguments(call);
  return call.memoArguments as CallArguments;
}

function readArguments(call: SyntaxNode): CallArguments {
  const out: CallArguments = { positional: [], keywords: new Map(), splat: undefined };
  const list = call.childForFieldName('arguments');
  if (!list) return out;
  if (list.type === 'generator_expression') {
    out.positional.push(list);
    return out;
  }
  for (const arg of list.namedChildren) {
    if (!arg || arg.type === 'comment') continue;
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name');
      const value = arg.childForFieldName('value');
      if (name && value) out.keywords.set(name.text, { name, value });
    } else if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') {
      out.splat ??= arg;
    } else {
      out.positional.push(arg);
    }
  }
  return out;
}

/** The function node of a call, if `node` is one. */
export function callee(node: SyntaxNode): SyntaxNode | undefined {
  const n = unparen(node);
  return n.type === 'call' ? n.childForFieldName('function') ?? undefined : undefined;
}

/** A parameter's name: `x`, `x: Tensor`, `x=1`, `x: int = 1` (undefined for `*args`, `**kwargs`). */
export function parameterName(p: SyntaxNode): string | undefined {
  if (p.type === 'identifier') return p.text;
  if (p.type === 'typed_parameter') return p.namedChildren[0]?.type === 'identifier' ? p.namedChildren[0].text : undefined;
  if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') return p.childForFieldName('name')?.text;
  return undefined;
}

/** The short text of a node for messages: its first line, at most 60 characters. */
export function snippet(node: SyntaxNode): string {
  const line = node.text.split('\n')[0]!.trim();
  return line.length > 60 ? `${line.slice(0, 57)}…` : line + (node.text.includes('\n') ? ' …' : '');
}
