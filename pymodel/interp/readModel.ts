/**
 * The module tree of one model of a Python file: its class constructed with
 * the arguments of the file's instantiation (else its defaults), or its
 * `nn.Sequential(…)` call, followed by the statements the file runs on the
 * instance (`model.apply(init_weights)`). Ties are the tensors the code
 * shares (`self.transformer.wte.weight = self.lm_head.weight`).
 */
import { canonicalizeTies } from '../../engine/model/treeJson';
import type { ModuleNode, TensorTie } from '../../engine/modules/tree';
import type { Notes } from '../notes';
import type { SyntaxNode } from '../parser';
import { snippet } from '../syntax';
import type { FileLoader, SourceFile } from './files';
import { BudgetExceeded, Env, Interpreter, type CallArgs } from './interpreter';
import { isUnknown, type ModuleValue, type Value } from './values';
import type { ForwardGraph } from '../../engine/graph/ir';
import { ForwardReader, type ForwardProblem } from './forwardGraph';

export interface ReadTree {
  root: ModuleNode;
  ties: TensorTie[];
  /** `forward` as a dataflow graph, or the construct that stopped its reading (for a model of the file's own class or a Sequential). */
  forward?: { graph: ForwardGraph } | { problem: ForwardProblem };
}

export interface ModelSource {
  /** A class (a `class_definition`), or an expression that builds the model (`nn.Sequential(…)`, `resnet50()`). */
  kind: 'class' | 'expression';
  node: SyntaxNode;
  name: string;
  /** `model = Net(…)`: the calls whose arguments construct the class, in file order. */
  instantiations: SyntaxNode[];
  /** Statements on the instance after construction, with the variable that names it. */
  instanceStatements: { statement: SyntaxNode; variable: string }[];
}

export function readModuleTree(source: ModelSource, file: SourceFile, notes: Notes, load?: FileLoader): ReadTree | { error: string } {
  const it = new Interpreter(file, notes, load);
  try {
    let module: Value;
    if (source.kind === 'expression') {
      module = it.evaluate(source.node, new Env(file));
    } else {
      const cls = it.global(file, source.name, source.node);
      if (typeof cls === 'object' && cls !== null && cls.kind === 'builtin' && source.instantiations[0]) {
        // torch's own class (reading torch's source): the catalogue builds it.
        const built = it.evaluate(source.instantiations[0], new Env(file));
        if (typeof built !== 'object' || built === null || built.kind !== 'module') return { error: `${source.name}: ${isUnknown(built) ? built.reason : 'not a module'}` };
        return { root: built.node, ties: canonicalizeTies(built.node) };
      }
      if (typeof cls !== 'object' || cls === null || cls.kind !== 'class') return { error: `${source.name} is not a class Weightscope can read` };
      // The first instantiation whose arguments can all be computed (a file may also build it from a dataset's sizes).
      const instantiation = source.instantiations.find((call) => allComputable(it, call, file)) ?? source.instantiations[0];
      if (!instantiation) {
        const required = it.requiredParameters(cls);
        if (required.length > 0) return { error: `${source.name}(${required.join(', ')}) needs constructor arguments the file never gives: Weightscope reads a class with the arguments of its instantiation (model = ${source.name}(…)) or its defaults` };
      }
      const args = instantiation ? instantiationArgs(it, instantiation, file) : { positional: [], keywords: new Map() };
      const built = it.build(cls, args, instantiation ?? source.node);
      if (built.error) return { error: built.error };
      module = built.module!;
    }
    if (typeof module !== 'object' || module === null || module.kind !== 'module') {
      return { error: isUnknown(module) ? `${source.name}: ${module.reason}` : `${source.name} does not build an nn.Module` };
    }
    for (const { statement, variable } of source.instanceStatements) {
      const env = new Env(file);
      env.vars.set(variable, module);
      it.exec(statement, env);
    }
    return { root: module.node, ties: canonicalizeTies(module.node), forward: readForwardOf(it, module, file) };
  } catch (err) {
    if (err instanceof BudgetExceeded) return { error: `reading ${source.name} took too many steps` };
    // A reader bug must not take the editor down: the model is reported as not read, with the cause.
    const message = `Weightscope's Python reader failed on ${source.name} (internal error: ${err instanceof Error ? err.message : String(err)})`;
    notes.assume(source.node, message, 'Please report it.');
    return { error: message };
  }
}

/** The forward graph of the built model; a reader bug is reported as the reason Train is off, never thrown. */
function readForwardOf(it: Interpreter, module: ModuleValue, file: SourceFile): ReadTree['forward'] {
  try {
    return new ForwardReader(it, module, file).read();
  } catch (err) {
    if (err instanceof BudgetExceeded) return undefined;
    const node = module.cls?.def;
    if (!node) return undefined;
    return { problem: { node, construct: 'an internal error', message: `Weightscope's forward reader failed (internal error: ${err instanceof Error ? err.message : String(err)})` } };
  }
}

function allComputable(it: Interpreter, call: SyntaxNode, file: SourceFile): boolean {
  const args = it.callArgs(call, new Env(file));
  return !!args && !args.positional.some(isUnknown) && ![...args.keywords.values()].some(isUnknown);
}

/**
 * The instantiation's arguments, evaluated at module level; an argument that
 * cannot be computed there (a local variable, `args.hidden`) is left out so
 * that the constructor's default applies, and said so.
 */
function instantiationArgs(it: Interpreter, call: SyntaxNode, file: SourceFile): CallArgs {
  const args = it.callArgs(call, new Env(file)) ?? { positional: [], keywords: new Map() };
  const known: CallArgs = { positional: [], keywords: new Map() };
  for (const v of args.positional) {
    if (isUnknown(v)) {
      it.assume(v.node, `the argument \`${snippet(v.node)}\` of ${snippet(call)} (${v.reason})`, 'Weightscope used the constructor\'s default for it and the arguments after it.');
      break;
    }
    known.positional.push(v);
  }
  for (const [k, v] of args.keywords) {
    if (isUnknown(v)) it.assume(v.node, `the argument ${k}=\`${snippet(v.node)}\` (${v.reason})`, `Weightscope used the constructor's default for ${k}.`);
    else known.keywords.set(k, v);
  }
  return known;
}
