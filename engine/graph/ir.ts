/**
 * A model's `forward` as a dataflow graph over its module tree: what a
 * reader makes of the Python code (parsed, never run) and what the graph
 * interpreter runs on the engine's autograd ops.
 *
 * Values are SSA names: every node computes one value (a tensor, a number,
 * a tuple …) under a fresh name, so a Python variable assigned twice
 * (`x = x + self.attn(x)`) is two names. A node is one call:
 *   - of a submodule, by its `state_dict` path (`transformer.h.3.attn`): a
 *     `torch.nn` module runs its forward (graph/moduleForwards.ts), a module
 *     of the model's own class runs its body (`ForwardGraph.bodies`), a
 *     `Sequential` runs its children in order;
 *   - of an op by torch's name (`torch.nn.functional.relu`, `torch.cat`,
 *     `Tensor.view`, `operator.add`; graph/ops.ts maps each to the engine);
 *   - or reads a parameter or buffer by path (`transformer.h.0.attn.mask`).
 * Arguments are values, constants (numbers, strings, booleans, None), tuples
 * of arguments and slices, so shapes and indices stay visible to the checks.
 *
 * Plain data (structured-cloneable), like the rest of `ModelSpec`.
 */

/** A constant argument, as Python writes it. */
export type GraphConst = number | string | boolean | null;

export type GraphArg =
  | { kind: 'value'; name: string }
  | { kind: 'const'; value: GraphConst }
  | { kind: 'tuple'; items: GraphArg[] }
  /** `a:b:c` in a subscript; absent parts are null. */
  | { kind: 'slice'; start: GraphArg | null; stop: GraphArg | null; step: GraphArg | null }
  /** `...` in a subscript. */
  | { kind: 'ellipsis' };

export type GraphCall =
  | { kind: 'module'; path: string }
  | { kind: 'op'; name: string }
  | { kind: 'tensor'; path: string };

/** Offsets into the source the graph was read from, for diagnostics on the exact construct. */
export interface GraphRange {
  start: number;
  end: number;
  /** Set when the code is in another file than the model's (a class imported from a sibling file). */
  file?: string;
}

export interface GraphNode {
  /** The SSA name of the value computed. */
  output: string;
  call: GraphCall;
  args: GraphArg[];
  kwargs: Record<string, GraphArg>;
  range: GraphRange;
}

/** One `forward`: parameters in, a value out. */
export interface FunctionGraph {
  /** SSA names of the parameters after `self`, in order. */
  inputs: string[];
  nodes: GraphNode[];
  output: GraphArg;
}

/** What the model's first input holds, which decides its data. */
export type InputKind =
  /** Token ids: integers in [0, vocab), shape (N, T). */
  | { kind: 'tokens'; vocab: number; length: number }
  /** Real values of a per-example shape: (features) for an MLP, (C, H, W) for images. */
  | { kind: 'values'; shape: number[] };

export interface ForwardGraph {
  /** The model's own `forward`. */
  root: FunctionGraph;
  /** The body of every submodule of the model's own classes, by module path. */
  bodies: Record<string, FunctionGraph>;
  /**
   * A `forward(idx, targets)` that computes its own loss (nanoGPT): the input
   * that takes the targets, and the position of the loss in the returned
   * tuple (`return logits, loss`).
   */
  loss?: { targetsInput: number; output: number; prediction?: number };
  /** The data the model takes, when the reader could tell (the first layer, the position table); else undefined. */
  input?: InputKind;
  /** forward's inputs after `self`, as Python names them, in the order of `root.inputs`. */
  inputNames?: string[];
  /**
   * forward's inputs besides the data (position 0) and the targets (`forward(self, obs, action)`, RAFT's
   * `image2`, a `lengths` tensor): each takes its own array of the data, or a synthetic default of its kind.
   */
  extraInputs?: ExtraInput[];
}

/** An input of forward beyond the first: where it is, its name, and what it holds when the reader could tell. */
export interface ExtraInput {
  /** Its index in `root.inputs`. */
  position: number;
  name: string;
  kind?: InputKind;
}

export const value = (name: string): GraphArg => ({ kind: 'value', name });
export const constant = (v: GraphConst): GraphArg => ({ kind: 'const', value: v });

/** Every value name an argument reads. */
export function argValues(arg: GraphArg, out: string[] = []): string[] {
  switch (arg.kind) {
    case 'value':
      out.push(arg.name);
      break;
    case 'tuple':
      for (const a of arg.items) argValues(a, out);
      break;
    case 'slice':
      for (const a of [arg.start, arg.stop, arg.step]) if (a) argValues(a, out);
      break;
    default:
      break;
  }
  return out;
}

/** The nodes of a body and all it calls (module paths resolved against `bodies`), for checks and listings. */
export function everyNode(graph: ForwardGraph): GraphNode[] {
  return [graph.root, ...Object.values(graph.bodies)].flatMap((f) => f.nodes);
}

/** torch's name for a node, as messages print it: `F.relu`, `x.view`, `self.h.0`. */
export function describeCall(call: GraphCall): string {
  if (call.kind === 'op') return call.name.replace(/^torch\.nn\.functional\./, 'F.').replace(/^Tensor\./, '.');
  return call.kind === 'module' ? `self.${call.path}` : `self.${call.path}`;
}
