/**
 * The loss and the optimizer a script builds next to its model:
 *
 *   criterion = nn.BCELoss()
 *   optimizer = optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
 *   optimizer = optim.AdamW([{'params': decay, 'weight_decay': 0.01},
 *                            {'params': no_decay, 'weight_decay': 0.0}], lr=3e-4)
 *
 * Param groups become the model file's `weight_decay` and `no_decay` list
 * (the parameters whose group has no decay); what that cannot express (a
 * per-group lr, two different decays) is reported with the value used.
 */
import type { LocatedEntry } from '../engine/model/located';
import { LOSS_TYPES } from '../engine/model/vocabulary';
import { evaluate, withBindings, type PyValue, type Scope } from './evaluate';
import { array, entry, object, scalar } from './located';
import type { Notes } from './notes';
import type { SyntaxNode } from './parser';
import { callArguments, callee, dottedParts, snippet, unparen } from './syntax';
import type { Located } from '../engine/model/located';

export interface ParameterInfo {
  name: string;
  shape: number[];
}

/** `nn.XLoss(...)` as the model file's `loss` (a name, or `{ type, …args }`), or undefined with a note. */
export function readLoss(call: SyntaxNode, scope: Scope, notes: Notes): Located | undefined {
  const fn = callee(call)!;
  const type = scope.imports.qualify(fn)!.slice('torch.nn.'.length);
  const typeNode = fn.type === 'attribute' ? fn.childForFieldName('attribute')! : fn;
  if (!LOSS_TYPES.includes(type)) {
    notes.assume(call, `nn.${type}`, `Weightscope models ${LOSS_TYPES.join(', ')}; it trains with the loss its default data calls for.`);
    return undefined;
  }
  const args = callArguments(call);
  for (const p of args.positional) notes.assume(p, `positional argument ${snippet(p)} of nn.${type}`, 'It is ignored.');
  const entries: LocatedEntry[] = [];
  for (const [key, { name, value }] of args.keywords) {
    const v = evaluate(value, scope);
    if (!v.ok || (typeof v.value !== 'number' && typeof v.value !== 'string')) {
      notes.assume(name, `${key}=${snippet(value)} of nn.${type}`, `It is ignored (torch's default for ${key} applies).`);
      continue;
    }
    entries.push(entry(key, name, scalar(v.value, value)));
  }
  if (entries.length === 0) return scalar(type, typeNode);
  return object(call, [entry('type', typeNode, scalar(type, typeNode)), ...entries]);
}

const OPTIMIZER_PARAMS: Readonly<Record<string, readonly string[]>> = {
  AdamW: ['params', 'lr', 'betas', 'eps', 'weight_decay', 'amsgrad'],
  Adam: ['params', 'lr', 'betas', 'eps', 'weight_decay', 'amsgrad'],
  SGD: ['params', 'lr', 'momentum', 'dampening', 'weight_decay', 'nesterov'],
};
const DEFAULT_DECAY: Readonly<Record<string, number>> = { AdamW: 0.01, Adam: 0, SGD: 0 };
const IGNORED = new Set(['foreach', 'capturable', 'differentiable', 'fused']);

/** The variable whose parameters an optimizer gets: `model` in `model.parameters()` or in its param groups. */
export function optimizerRoot(call: SyntaxNode, resolve: (name: string) => SyntaxNode | undefined): string | undefined {
  const args = callArguments(call);
  const params = args.keywords.get('params')?.value ?? args.positional[0];
  if (!params) return undefined;
  const PARAMETERS = /\b([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*(named_)?parameters\s*\(/;
  // Usually the call says it (model.parameters(), or groups written inline); else follow the variables.
  const found = PARAMETERS.exec(params.text) ?? PARAMETERS.exec(expand(params, resolve, 0));
  if (found) return found[1];
  const attr = /\b([A-Za-z_][A-Za-z0-9_]*)\s*\.[A-Za-z_]/.exec(expand(params, resolve, 0));
  return attr?.[1];
}

/** The text of an expression with the variables it names replaced by their definitions (for finding the model). */
function expand(node: SyntaxNode, resolve: (name: string) => SyntaxNode | undefined, depth: number): string {
  if (depth > 3) return node.text;
  let text = node.text;
  for (const id of identifiers(node)) {
    const def = resolve(id);
    if (def && def !== node) text += ` ${expand(def, resolve, depth + 1)}`;
  }
  return text;
}

function identifiers(node: SyntaxNode): string[] {
  const out: string[] = [];
  const walk = (n: SyntaxNode): void => {
    if (n.type === 'identifier') out.push(n.text);
    for (const c of n.namedChildren) if (c) walk(c);
  };
  walk(node);
  return out;
}

export interface OptimizerContext {
  scope: Scope;
  notes: Notes;
  /** The model's variable in this code (`model`). */
  root: string;
  parameters: readonly ParameterInfo[];
  /** The expression a name was last assigned in the optimizer's scope (`decay = [...]`). */
  resolve: (name: string) => SyntaxNode | undefined;
}

export function readOptimizer(call: SyntaxNode, ctx: OptimizerContext): Located | undefined {
  const fn = callee(call)!;
  const qualified = ctx.scope.imports.qualify(fn)!;
  const type = qualified.slice('torch.optim.'.length);
  const typeNode = fn.type === 'attribute' ? fn.childForFieldName('attribute')! : fn;
  const names = OPTIMIZER_PARAMS[type];
  if (!names) {
    ctx.notes.assume(call, `optim.${type}`, 'Weightscope models AdamW, Adam and SGD; it trains with AdamW and torch\'s defaults.');
    return undefined;
  }
  const args = callArguments(call);
  const given = new Map<string, { keyNode: SyntaxNode; value: SyntaxNode }>();
  args.positional.forEach((v, i) => names[i] && given.set(names[i]!, { keyNode: v, value: v }));
  for (const [key, { name, value }] of args.keywords) given.set(key, { keyNode: name, value });

  const entries: LocatedEntry[] = [entry('type', typeNode, scalar(type, typeNode))];
  const values = new Map<string, PyValue>();
  for (const [key, g] of given) {
    if (key === 'params') continue;
    if (IGNORED.has(key)) continue;
    if (!names.includes(key) && key !== 'maximize') {
      ctx.notes.assume(g.keyNode, `argument ${key} of optim.${type}`, 'It is ignored.');
      continue;
    }
    const v = evaluate(g.value, ctx.scope);
    if (!v.ok || v.value === null || typeof v.value === 'string') {
      ctx.notes.assume(g.value, `${key}=${snippet(g.value)}`, `${v.ok ? 'It is not a number' : `${v.reason} has no value Weightscope can compute`}; torch's default for ${key} applies.`);
      continue;
    }
    values.set(key, v.value);
    const value = Array.isArray(v.value) ? array(g.value, (v.value as PyValue[]).map((x) => scalar(x as number, g.value))) : scalar(v.value as number | boolean, g.value);
    entries.push(entry(key, g.keyNode, value));
  }
  const params = given.get('params')?.value;
  if (params) readGroups(params, type, values, entries, ctx);
  return object(call, entries);
}

interface Group {
  node: SyntaxNode;
  names: Set<string>;
  decay?: { value: number; keyNode: SyntaxNode; valueNode: SyntaxNode };
  lr?: number;
}

/** Param groups → `weight_decay` and `no_decay` entries. */
function readGroups(params: SyntaxNode, type: string, values: Map<string, PyValue>, entries: LocatedEntry[], ctx: OptimizerContext): void {
  const list = follow(params, ctx);
  if (list.type !== 'list' && list.type !== 'tuple') {
    const names = paramSet(list, ctx);
    if (names && names.size < ctx.parameters.length) {
      const left = ctx.parameters.filter((p) => !names.has(p.name)).map((p) => p.name);
      ctx.notes.assume(params, `an optimizer over ${names.size} of the model's ${ctx.parameters.length} parameter tensors`, `torch never updates the others (${left.slice(0, 4).join(', ')}${left.length > 4 ? ', …' : ''}); Weightscope trains them all.`);
    }
    return;
  }
  const groups: Group[] = [];
  let unknown = false;
  for (const item of list.namedChildren) {
    if (!item || item.type === 'comment') continue;
    const dict = follow(item, ctx);
    if (dict.type !== 'dictionary') {
      // A list of tensors: one group.
      const names = paramSet(item, ctx);
      if (names) groups.push({ node: item, names });
      else unknown = true;
      continue;
    }
    const group: Group = { node: dict, names: new Set() };
    for (const pair of dict.namedChildren) {
      if (pair?.type !== 'pair') continue;
      const keyNode = pair.childForFieldName('key')!;
      const valueNode = pair.childForFieldName('value')!;
      const key = evaluate(keyNode, ctx.scope);
      if (!key.ok) continue;
      if (key.value === 'params') {
        const names = paramSet(valueNode, ctx);
        if (names) group.names = names;
        else unknown = true;
      }
      else if (key.value === 'weight_decay' || key.value === 'lr') {
        const v = evaluate(valueNode, ctx.scope);
        if (!v.ok || typeof v.value !== 'number') {
          ctx.notes.assume(valueNode, `${String(key.value)} of a param group`, `${v.ok ? 'not a number' : v.reason}; the optimizer's value applies.`);
          continue;
        }
        if (key.value === 'lr') group.lr = v.value;
        else group.decay = { value: v.value, keyNode, valueNode };
      } else {
        ctx.notes.assume(keyNode, `'${String(key.value)}' in a param group`, 'Weightscope applies the optimizer\'s value to every group.');
      }
    }
    groups.push(group);
  }
  const globalDecay = typeof values.get('weight_decay') === 'number' ? (values.get('weight_decay') as number) : DEFAULT_DECAY[type]!;
  const globalLr = typeof values.get('lr') === 'number' ? (values.get('lr') as number) : undefined;
  const decayOf = (g: Group): number => g.decay?.value ?? globalDecay;
  const decays = [...new Set(groups.filter((g) => g.names.size > 0).map(decayOf))];
  const nonzero = decays.filter((d) => d > 0);
  if (nonzero.length > 1) {
    ctx.notes.assume(list, `param groups with weight decays ${nonzero.join(', ')}`, `Weightscope uses one weight decay for the decayed parameters: ${nonzero[0]}.`);
  }
  const lrs = [...new Set(groups.map((g) => g.lr ?? globalLr).filter((x) => x !== undefined))];
  if (lrs.length > 1) ctx.notes.assume(list, `param groups with learning rates ${lrs.join(', ')}`, `Weightscope uses one learning rate for all: ${lrs[0]}.`);
  if (globalLr === undefined && lrs.length > 0) setEntry(entries, entry('lr', list, scalar(lrs[0]!, list)));
  const decayed = groups.find((g) => decayOf(g) > 0 && g.names.size > 0);
  if (decayed?.decay) setEntry(entries, entry('weight_decay', decayed.decay.keyNode, scalar(decayed.decay.value, decayed.decay.valueNode)));
  else if (!decayed) setEntry(entries, entry('weight_decay', list, scalar(0, list)));
  const exempt = groups.filter((g) => decayOf(g) === 0);
  const noDecay = exempt.flatMap((g) => [...g.names].map((name) => scalar(name, g.decay?.valueNode ?? g.node)));
  if (noDecay.length > 0 && decayed) setEntry(entries, entry('no_decay', exempt[0]!.node, array(exempt[0]!.node, noDecay)));
  const covered = new Set(groups.flatMap((g) => [...g.names]));
  const left = ctx.parameters.filter((p) => !covered.has(p.name)).map((p) => p.name);
  // (With a group Weightscope could not read, the parameters it does not see may well be in it.)
  if (left.length > 0 && groups.length > 0 && !unknown) {
    ctx.notes.assume(list, `param groups that leave out ${left.slice(0, 4).join(', ')}${left.length > 4 ? ', …' : ''}`, 'torch never updates those parameters; Weightscope trains them with the first group\'s settings.');
  }
}

function setEntry(entries: LocatedEntry[], e: LocatedEntry): void {
  const i = entries.findIndex((x) => x.key === e.key);
  if (i === -1) entries.push(e);
  else entries[i] = e;
}

/** Follows a variable to the expression it was assigned (`decay` → `[p for n, p in …]`). */
function follow(node: SyntaxNode, ctx: OptimizerContext, depth = 0): SyntaxNode {
  const n = unparen(node);
  if (n.type === 'identifier' && depth < 4) {
    const def = ctx.resolve(n.text);
    if (def) return follow(def, ctx, depth + 1);
  }
  return n;
}

/**
 * The parameter names an expression stands for: `model.parameters()`,
 * `model.fc1.parameters()`, `[model.fc1.weight, …]`, `model.fc1.bias`,
 * `[p for n, p in model.named_parameters() if 'bias' not in n]`, a list
 * concatenation of those, or a variable holding one.
 */
function paramSet(node: SyntaxNode, ctx: OptimizerContext): Set<string> | undefined {
  const n = follow(node, ctx);
  const fn = n.type === 'call' ? callee(n) : undefined;
  const parts = fn ? dottedParts(fn) : dottedParts(n);
  if (parts && parts[0] === ctx.root) {
    const last = parts[parts.length - 1]!;
    if (fn && (last === 'parameters' || last === 'named_parameters')) {
      const prefix = parts.slice(1, -1).join('.');
      return new Set(ctx.parameters.filter((p) => !prefix || p.name.startsWith(`${prefix}.`)).map((p) => p.name));
    }
    if (!fn && (last === 'weight' || last === 'bias')) {
      const name = parts.slice(1).join('.');
      if (ctx.parameters.some((p) => p.name === name)) return new Set([name]);
    }
  }
  if (n.type === 'list' || n.type === 'tuple') {
    const out = new Set<string>();
    for (const item of n.namedChildren) {
      if (!item || item.type === 'comment') continue;
      const inner = paramSet(item, ctx);
      if (!inner) return unknownSet(item, ctx);
      for (const x of inner) out.add(x);
    }
    return out;
  }
  if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '+') {
    const a = paramSet(n.childForFieldName('left')!, ctx);
    const b = paramSet(n.childForFieldName('right')!, ctx);
    return a && b ? new Set([...a, ...b]) : undefined;
  }
  if (n.type === 'list_comprehension' || n.type === 'generator_expression') return comprehension(n, ctx) ?? unknownSet(n, ctx);
  return unknownSet(n, ctx);
}

function unknownSet(n: SyntaxNode, ctx: OptimizerContext): undefined {
  ctx.notes.assume(n, `the parameter list ${snippet(n)}`, 'Weightscope cannot tell which parameters it holds; they get the optimizer\'s own settings.');
  return undefined;
}

/** `[p for n, p in model.named_parameters() if cond]`: cond evaluated per parameter, with n its name and p.ndim, p.shape, p.dim(), p.numel(). */
function comprehension(n: SyntaxNode, ctx: OptimizerContext): Set<string> | undefined {
  const clauses = n.namedChildren.filter((c): c is SyntaxNode => c !== null && (c.type === 'for_in_clause' || c.type === 'if_clause'));
  const first = clauses[0];
  if (first?.type !== 'for_in_clause') return undefined;
  const left = unparen(first.childForFieldName('left')!);
  const right = first.childForFieldName('right')!;
  const source = paramSet(right, { ...ctx, notes: { assume: () => undefined } as unknown as Notes });
  const body = n.childForFieldName('body');
  const named = /named_parameters\s*\(/.test(right.text);
  const vars = left.namedChildren.filter((c) => c?.type === 'identifier').map((c) => c!.text);
  const [nameVar, paramVar] = named ? vars : [undefined, left.type === 'identifier' ? left.text : undefined];
  if (!source || !paramVar || body?.text !== paramVar) return undefined;
  const out = new Set<string>();
  for (const p of ctx.parameters.filter((x) => source.has(x.name))) {
    const numel = p.shape.reduce((a, b) => a * b, 1);
    const values = new Map<string, PyValue>([
      [`${paramVar}.ndim`, p.shape.length], [`${paramVar}.shape`, p.shape],
      // nanoGPT's configure_optimizers: `p.dim() >= 2`; also `p.ndimension()`, `p.numel()`, `p.size()`.
      [`${paramVar}.dim()`, p.shape.length], [`${paramVar}.ndimension()`, p.shape.length], [`${paramVar}.numel()`, numel], [`${paramVar}.size()`, p.shape],
    ]);
    if (nameVar) values.set(nameVar, p.name);
    let keep = true;
    const scope = withBindings(ctx.scope, values);
    for (const clause of clauses.slice(1)) {
      if (clause.type !== 'if_clause') return undefined;
      const cond = clause.namedChild(0)!;
      const v = evaluate(cond, scope);
      if (!v.ok) {
        ctx.notes.assume(v.node, `the condition ${snippet(cond)}`, `${v.reason} cannot be decided per parameter; the group is treated as empty.`);
        return undefined;
      }
      if (!v.value) keep = false;
    }
    if (keep) out.add(p.name);
  }
  return out;
}
