/**
 * The graph check, before anything runs: every op is one of the table's and
 * its engine function exists, every module has a forward, and shapes fit
 * (the graph run on shapes alone, meta.ts, on an example batch). Each
 * problem is reported at the code that causes it, so Train and Signal say
 * exactly why they are off.
 */
import { namedModules, type ModuleNode, type TensorEntry } from '../modules/tree';
import { tensorEntries } from '../modules/tree';
import type { ForwardGraph, GraphNode, GraphRange, InputKind } from './ir';
import { describeCall } from './ir';
import { isMeta, MetaTensor, UNKNOWN, type MetaValue } from './meta';
import { MODULE_FORWARDS } from './moduleForwards';
import { bindOp, collectingUnavailable, engineHas, OPS, OpUnavailable } from './ops';
import { GraphError, GraphRunner, ModuleUnavailable } from './run';
import { BranchMisread, BranchOnValues } from './branch';

export interface GraphProblem {
  range: GraphRange;
  message: string;
  /** An op or module forward the engine does not have yet (rather than a mistake in the model or a construct not read). */
  unavailable: boolean;
  /** What it is, in a few words (for the ranking of what is not run yet). */
  construct: string;
  /** A branch the reader decided (branch.ts) that the shapes decide the other way: the reader reads its other side. */
  branch?: { key: string; taken: boolean };
}

/** Spatial sizes tried for an image model whose input size the code does not say (MNIST, CIFAR, ImageNet, …). */
export const CANDIDATE_IMAGE_SIZES = [28, 32, 64, 96, 128, 224, 256, 299];

/** Lengths tried for a 1-D (sequence, audio) model: short sequences to a second of 16 kHz audio. */
export const CANDIDATE_LENGTHS = [64, 128, 256, 512, 1024, 4096, 16000];

/** Examples in the batch the check runs on. */
const CHECK_BATCH = 2;

export interface CheckOptions {
  /** The data's shape per example, when known (it fixes the input's shape instead of the graph's guess). */
  inputShape?: number[];
  /** Token ids rather than values. */
  tokens?: boolean;
  /** The targets' shape per example (and whether they are class indices), when forward takes them. */
  targetShape?: { shape: number[]; long: boolean };
  /** The per-example shape of each further input the data gives, by forward's name for it. */
  extraShapes?: Record<string, { shape: number[]; tokens: boolean }>;
}

export function checkForwardGraph(graph: ForwardGraph, root: ModuleNode, options: CheckOptions = {}): GraphProblem[] {
  const candidates = exampleInputs(graph, options);
  // Without an example input (the reader could not tell what data forward takes), only what needs no shapes.
  if (candidates.length === 0) return staticProblems(graph, root);
  let first: GraphProblem[] | undefined;
  for (const candidate of candidates) {
    const { problems, mismatch } = shapeProblems(graph, root, candidate.inputs);
    if (!mismatch) {
      if (candidate.input) graph.input = candidate.input;
      // The size the first input took, for inputs of a size the code does not say either.
      if (candidate.extra && graph.extraInputs) graph.extraInputs = graph.extraInputs.map((e, i) => ({ ...e, kind: candidate.extra![i]! }));
      return problems;
    }
    first ??= problems;
  }
  return first ?? [];
}

/** Ops outside the table, engine functions not exported yet, modules without a forward: what needs no shapes, in graph order. */
function staticProblems(graph: ForwardGraph, root: ModuleNode): GraphProblem[] {
  const types = new Map(namedModules(root).map(({ path, module }) => [path, module]));
  const problems: GraphProblem[] = [];
  const seen = new Set<string>();
  const add = (node: GraphNode, key: string, p: Omit<GraphProblem, 'range'>): void => {
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ range: node.range, ...p });
  };
  for (const body of [graph.root, ...Object.values(graph.bodies)]) {
    for (const node of body.nodes) {
      const call = node.call;
      if (call.kind === 'op') {
        const def = OPS[call.name];
        if (!def) add(node, call.name, { message: `${describeCall(call)} is not an op Weightscope runs yet`, unavailable: false, construct: `the op ${describeCall(call)}` });
        else if (def.engine && !engineHas(def.engine)) add(node, call.name, { message: `${describeCall(call)} needs the engine op ${def.engine}, which is not available yet`, unavailable: true, construct: `the op ${describeCall(call)}` });
      } else if (call.kind === 'module' && !graph.bodies[call.path]) {
        const m = types.get(call.path);
        if (m && !MODULE_FORWARDS[m.type]) add(node, `nn.${m.type}`, { message: `the forward of nn.${m.type} (${call.path}) is not available yet`, unavailable: true, construct: `nn.${m.type}'s forward` });
      }
    }
  }
  return problems;
}

/** The example batches to try: the data's shape, else the graph's input kind (image sizes tried in turn). */
function exampleInputs(graph: ForwardGraph, options: CheckOptions): { inputs: MetaValue[]; input?: InputKind; extra?: InputKind[] }[] {
  // forward's arguments in order: the data at 0, the targets where forward takes them, further inputs by their kind.
  const arguments_ = (x: MetaTensor, size: number | undefined): { inputs: MetaValue[]; extra: (InputKind | undefined)[] } => {
    const inputs: MetaValue[] = Array<MetaValue>(graph.root.inputs.length).fill(UNKNOWN);
    inputs[0] = x;
    const t = options.targetShape;
    if (graph.loss) inputs[graph.loss.targetsInput] = t ? new MetaTensor([x.shape[0]!, ...t.shape], t.long) : x.long ? new MetaTensor(x.shape, true) : new MetaTensor([x.shape[0]!], true);
    const extra = (graph.extraInputs ?? []).map((e) => {
      const given = options.extraShapes?.[e.name];
      const kind: InputKind | undefined = given
        ? (given.tokens ? { kind: 'tokens', vocab: e.kind?.kind === 'tokens' ? e.kind.vocab : 2 ** 24, length: given.shape[0]! } : { kind: 'values', shape: given.shape })
        : e.kind?.kind === 'values' ? { kind: 'values', shape: e.kind.shape.map((d) => (d === 0 ? size ?? 0 : d)) } : e.kind;
      if (given) inputs[e.position] = new MetaTensor([x.shape[0]!, ...given.shape], given.tokens);
      else if (kind?.kind === 'tokens') inputs[e.position] = new MetaTensor([x.shape[0]!, kind.length], true);
      else if (kind && !kind.shape.includes(0)) inputs[e.position] = new MetaTensor([x.shape[0]!, ...kind.shape]);
      return kind;
    });
    return { inputs, extra };
  };
  const candidate = (x: MetaTensor, input?: InputKind, size?: number): { inputs: MetaValue[]; input?: InputKind; extra?: InputKind[] } => {
    const { inputs, extra } = arguments_(x, size);
    const out: { inputs: MetaValue[]; input?: InputKind; extra?: InputKind[] } = { inputs };
    if (input) out.input = input;
    if (size !== undefined && extra.every((k): k is InputKind => k !== undefined)) out.extra = extra;
    return out;
  };
  if (options.inputShape) return [candidate(new MetaTensor([CHECK_BATCH, ...options.inputShape], options.tokens === true))];
  const input = graph.input;
  if (!input) return [];
  if (input.kind === 'tokens') return [candidate(new MetaTensor([CHECK_BATCH, input.length], true))];
  if (!input.shape.includes(0)) return [candidate(new MetaTensor([CHECK_BATCH, ...input.shape]))];
  // Several image inputs (RAFT's two frames) take the same size.
  return (input.shape.length === 2 ? CANDIDATE_LENGTHS : CANDIDATE_IMAGE_SIZES).map((size) => {
    const shape = input.shape.map((d) => (d === 0 ? size : d));
    return candidate(new MetaTensor([CHECK_BATCH, ...shape]), { kind: 'values', shape }, size);
  });
}

/**
 * The graph run on shapes: every op or module forward not available yet is noted (once per construct) and the
 * run goes on past it with an unknown value; a shape that does not fit stops it (`mismatch`).
 */
/** The shape of forward's prediction (the logits beside nanoGPT's loss) per batch of CHECK_BATCH, when the check can follow it. */
export function predictionShape(graph: ForwardGraph, root: ModuleNode, inputShape: number[], tokens = false): number[] | undefined {
  const candidates = exampleInputs(graph, { inputShape, tokens });
  const run = candidates[0] ? shapeProblems(graph, root, candidates[0].inputs) : undefined;
  const out = run?.output;
  const prediction = graph.loss ? (graph.loss.prediction !== undefined && Array.isArray(out) ? out[graph.loss.prediction] : undefined) : Array.isArray(out) ? out[0] : out;
  return isMeta(prediction) ? [...prediction.shape] : undefined;
}

/**
 * Elements of the float tensors one forward pass computes per example (every op's output, found on shapes
 * alone): what autograd keeps for the backward pass, and about what the backward pass allocates for their
 * gradients. Undefined when the check cannot tell the input's shape, or cannot follow the graph to its end.
 */
export function activationElementsPerExample(graph: ForwardGraph, root: ModuleNode): number | undefined {
  const candidate = exampleInputs(structuredClone(graph), {})[0];
  if (!candidate) return undefined;
  const tally = { elements: 0 };
  const run = shapeProblems(graph, root, candidate.inputs, tally);
  if (run.mismatch) return undefined;
  return tally.elements / CHECK_BATCH;
}

function shapeProblems(graph: ForwardGraph, root: ModuleNode, inputs: MetaValue[], tally?: { elements: number }): { problems: GraphProblem[]; mismatch: boolean; output?: MetaValue } {
  const shapes = new Map<string, MetaTensor>();
  const guessed = new Map<string, string>();
  for (const e of tensorEntries(root)) {
    shapes.set(e.name, metaOf(e));
    if (e.decl.kind === 'buffer' && e.decl.approximate) guessed.set(e.name, e.decl.approximate);
  }
  const problems: GraphProblem[] = [];
  const seen = new Set<string>();
  const note = (node: GraphNode, key: string, p: Omit<GraphProblem, 'range'>, range?: GraphRange): void => {
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ range: range ?? runner.mainRange(node), ...p });
  };
  const pending: OpUnavailable[] = [];
  const noteUnavailable = (node: GraphNode, e: OpUnavailable, range?: GraphRange): void => {
    const detail = e.message.replace(/^.*? needs the engine op \S+ ?/, '').replace(/,? ?which is not available yet$/, '');
    note(node, `${e.op} ${e.engine} ${detail}`, { message: e.message, unavailable: true, construct: `${e.engine === 'broadcasting' ? 'broadcasting' : `the op ${e.op}`}${detail ? ` ${detail}` : ''}` }, range);
  };
  const runner = new GraphRunner<MetaValue>(graph, root, {
    tensor: (path) => {
      const t = shapes.get(path);
      if (!t) throw new Error(`the model has no parameter or buffer ${path}`);
      // forward reads its values: a buffer whose values the reader could not compute would run on wrong numbers.
      if (guessed.has(path)) throw new GuessedBuffer(path, guessed.get(path)!);
      return t;
    },
    op: (name, args, kwargs) => {
      const known = OPS[name];
      if (!known) throw new UnknownOp(name);
      // An op the engine lacks is noted, and its shape rule still followed, so one check lists every missing op.
      if (known.engine && !engineHas(known.engine)) pending.push(new OpUnavailable(describeCall({ kind: 'op', name }), known.engine));
      if (args.some((a) => a === UNKNOWN) || Object.values(kwargs).some((a) => a === UNKNOWN)) return UNKNOWN;
      const { def, bound } = bindOp<MetaValue>(name, args, kwargs);
      const out = def.shape ? collectingUnavailable((e) => pending.push(e), () => def.shape!(bound)) : UNKNOWN;
      if (tally) tally.elements += floatElements(out);
      return out;
    },
    afterNode: (node) => {
      for (const e of pending.splice(0)) noteUnavailable(node, e);
    },
    recover: (error, node) => {
      if (error instanceof UnknownOp) {
        note(node, error.op, { message: `${describeCall({ kind: 'op', name: error.op })} is not an op Weightscope runs yet`, unavailable: false, construct: `the op ${describeCall({ kind: 'op', name: error.op })}` });
        return UNKNOWN;
      }
      if (error instanceof OpUnavailable) {
        pending.splice(0);
        noteUnavailable(node, error);
        return UNKNOWN;
      }
      if (error instanceof ModuleUnavailable) {
        note(node, error.type, { message: error.message, unavailable: true, construct: `nn.${error.type}'s forward` });
        return UNKNOWN;
      }
      return undefined;
    },
  });
  try {
    const out = runner.run(inputs);
    if (graph.loss) {
      const loss = graph.loss.output < 0 ? out : Array.isArray(out) ? out[graph.loss.output] : undefined;
      if (isMeta(loss) && loss.numel !== 1) {
        problems.push({ range: graph.root.nodes[graph.root.nodes.length - 1]?.range ?? { start: 0, end: 0 }, message: `the loss forward returns has shape ${loss.toString()}, not one number`, unavailable: false, construct: 'a loss that is not a number' });
        return { problems, mismatch: true };
      }
    }
    return { problems, mismatch: false, output: out };
  } catch (err) {
    if (!(err instanceof GraphError)) throw err;
    // What the failing op noted before its shape rule threw (it is missing from the engine too).
    for (const e of pending.splice(0)) noteUnavailable(err.node, e, err.range);
    const cause = err.cause;
    const construct = cause instanceof GuessedBuffer ? 'a buffer whose values are not computed'
      : cause instanceof BranchOnValues ? 'a branch on tensor values'
        : cause instanceof BranchMisread ? 'a branch read for other shapes' : 'a shape mismatch';
    problems.push({ range: err.range, message: cause.message, unavailable: false, construct, ...(cause instanceof BranchMisread ? { branch: { key: cause.key, taken: cause.taken } } : {}) });
    return { problems, mismatch: true };
  }
}

/** Elements of the float tensors in a value (a tuple's items counted each). */
function floatElements(v: MetaValue): number {
  if (isMeta(v)) return v.long ? 0 : v.numel;
  return Array.isArray(v) ? v.reduce((n: number, x) => n + floatElements(x), 0) : 0;
}

class GuessedBuffer extends Error {
  constructor(readonly path: string, reason: string) {
    super(`forward reads the buffer ${path}, whose values Weightscope does not compute (${reason})`);
  }
}

class UnknownOp extends Error {
  constructor(readonly op: string) {
    super(`${op} is not an op Weightscope runs yet`);
  }
}

function metaOf(e: TensorEntry): MetaTensor {
  return new MetaTensor(e.decl.shape, e.decl.dtype === 'int64');
}
