/**
 * The values the module reader computes with while it reads `__init__`
 * bodies: Python's numbers, strings, lists, tuples and dicts; modules (nodes
 * of the engine's module tree, built as the code builds them); tensors (a
 * declaration in that tree, or a tensor expression not yet registered);
 * config objects; the file's functions and classes; names from torch, math
 * and numpy; and `unknown`, which carries the syntax that could not be
 * followed and why, so that every guess is reported where it was made.
 */
import type { InitStep, ModuleNode, TensorDecl } from '../../engine/modules/tree';
import type { SyntaxNode } from '../parser';
import type { SourceFile } from './files';

export type Value =
  | number
  | string
  | boolean
  | null
  | ListValue
  | DictValue
  | ModuleValue
  | TensorValue
  | NewTensorValue
  | ObjectValue
  | FunctionValue
  | ClassValue
  | BuiltinValue
  | UnknownValue;

/** A list or tuple (`tuple: true`); lists are mutable (`append`, `extend`). */
export interface ListValue {
  kind: 'list';
  items: Value[];
  tuple: boolean;
}

export interface DictValue {
  kind: 'dict';
  entries: Map<string | number, Value>;
}

/** An `nn.Module` instance: its node in the tree, and its plain attributes (`self.n_head = 4`). */
export interface ModuleValue {
  kind: 'module';
  node: ModuleNode;
  attrs: Map<string, Value>;
  /** The model's own class, for methods and `isinstance`. */
  cls?: ClassValue;
}

/** A registered parameter or buffer (`self.fc.weight`, `p` of `named_parameters()`). */
export interface TensorValue {
  kind: 'tensor';
  decl: TensorDecl;
  /** `weight[i]`: one row of it (nn.Embedding's padding row), for `fill_` and `zero_`. */
  row?: number;
}

/**
 * A tensor made by an expression (`torch.zeros(1, 1, 768)`, `torch.randn(…) * 0.02`,
 * `nn.Parameter(…)`), not registered anywhere yet: its shape and the steps that fill it.
 */
export interface NewTensorValue {
  kind: 'newTensor';
  shape: number[] | undefined;
  steps: InitStep[];
  parameter: boolean;
  dtype: 'float32' | 'int64';
  /** Why its values (or shape) are a guess. */
  approximate?: string;
}

/** An instance of a plain class (a config) or a `@dataclass`. */
export interface ObjectValue {
  kind: 'object';
  cls: ClassValue | undefined;
  attrs: Map<string, Value>;
  /** A module of the project imported whole (`from ...ops import misc`): its names are the file's definitions. */
  namespace?: SourceFile;
}

export interface FunctionValue {
  kind: 'function';
  def: SyntaxNode;
  file: SourceFile;
  /** A method's instance (`self._init_weights`), bound as the first argument. */
  self?: Value;
  /** `functools.partial` arguments, bound before the call's. */
  partial?: { positional: Value[]; keywords: Map<string, Value> };
  /** The class whose body defines it (for `super()`). */
  owner?: ClassValue;
  /** `@staticmethod` (no instance bound) or `@classmethod` (the class bound). */
  binding?: 'static' | 'class';
}

export interface ClassValue {
  kind: 'class';
  name: string;
  def: SyntaxNode;
  file: SourceFile;
  /** Base classes: the file's own classes, or qualified torch names (`torch.nn.Module`, `torch.nn.Sequential`). */
  bases: (ClassValue | string)[];
  dataclass: boolean;
}

/** A name from outside the file's code: `torch.nn.Linear`, `math.sqrt`, `len`, or a method bound to a value. */
export interface BuiltinValue {
  kind: 'builtin';
  name: string;
  self?: Value;
  /** `functools.partial(nn.BatchNorm2d, eps=1e-3)`: arguments bound before the call's. */
  partial?: { positional: Value[]; keywords: Map<string, Value> };
}

export interface UnknownValue {
  kind: 'unknown';
  node: SyntaxNode;
  reason: string;
}

export const isObjectLike = (v: Value): v is Exclude<Value, number | string | boolean | null> => typeof v === 'object' && v !== null;

export function kindOf(v: Value): string {
  if (v === null) return 'None';
  if (typeof v !== 'object') return typeof v;
  return v.kind;
}

export function list(items: Value[], tuple = false): ListValue {
  return { kind: 'list', items, tuple };
}

export function unknown(node: SyntaxNode, reason: string): UnknownValue {
  return { kind: 'unknown', node, reason };
}

export function isUnknown(v: Value): v is UnknownValue {
  return typeof v === 'object' && v !== null && v.kind === 'unknown';
}

/** Python truthiness; undefined when it depends on an unknown. */
export function truthiness(v: Value): boolean | undefined {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  switch (v.kind) {
    case 'list':
      return v.items.length > 0;
    case 'dict':
      return v.entries.size > 0;
    case 'unknown':
      return undefined;
    case 'module':
      // nn.Sequential / ModuleList define __len__.
      return v.node.type === 'Sequential' || v.node.type === 'ModuleList' || v.node.type === 'ModuleDict' ? v.node.children.length > 0 : true;
    default:
      return true;
  }
}

/** A plain value for messages: `3`, `'relu'`, `(1, 2)`. */
export function show(v: Value): string {
  if (v === null) return 'None';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  switch (v.kind) {
    case 'list':
      return v.tuple ? `(${v.items.map(show).join(', ')}${v.items.length === 1 ? ',' : ''})` : `[${v.items.map(show).join(', ')}]`;
    case 'module':
      return `${v.cls?.name ?? v.node.className ?? v.node.type}(…)`;
    case 'class':
      return v.name;
    case 'builtin':
      return v.name;
    default:
      return v.kind;
  }
}
