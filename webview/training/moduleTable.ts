/**
 * The training panel's table of AdamW terms at the scrubbed step, as a module
 * tree: a row per module (torch's `named_modules()` read off the `state_dict`
 * names) with its tensors' terms rolled up (engine/run/rollup.ts defines each
 * roll-up), which opens to its submodules and tensors, and a row per tensor
 * with its own terms. A model of 150 tensors reads as its modules; a small MLP
 * opens fully. Every row is in the DOM (closed ones `hidden`), so the table's
 * numbers are there to read whatever is open.
 */
import type { ModuleSummary } from '../../engine/inspect/types';
import { rollUp, tensorsUnder, type GroupTensor, type RolledUpStep } from '../../engine/run/rollup';
import type { LayerStep, RunStep } from '../../engine/run/types';
import { h } from '../dom';
import { formatNumber } from '../format';
import { prefixModules } from '../moduleTree';

/** A column: its key (the same for module and tensor rows), header, and value of a tensor's and of a module's terms. */
export interface TermColumn {
  key: string;
  label: string;
  tensor: (l: LayerStep) => number | null | undefined;
  module: (r: RolledUpStep) => number | null | undefined;
}

export const TERM_COLUMNS: readonly TermColumn[] = [
  { key: 'gradNorm', label: '‖g‖', tensor: (l) => l.gradNorm, module: (r) => r.gradNorm },
  { key: 'weightNorm', label: '‖θ‖', tensor: (l) => l.weightNorm, module: (r) => r.weightNorm },
  { key: 'mNorm', label: '‖m‖', tensor: (l) => l.mNorm, module: (r) => r.mNorm },
  { key: 'mHatNorm', label: '‖m̂‖', tensor: (l) => l.mHatNorm, module: (r) => r.mHatNorm },
  { key: 'sqrtVHatMean', label: '√v̂ mean', tensor: (l) => l.sqrtVHat?.mean, module: (r) => r.sqrtVHatMean },
  { key: 'stepSizeMean', label: 'lr/(√v̂+ε) mean', tensor: (l) => l.stepSize?.mean, module: (r) => r.stepSizeMean },
  { key: 'stepNorm', label: '‖Δθ Adam‖', tensor: (l) => l.stepNorm, module: (r) => r.stepNorm },
  { key: 'decayNorm', label: '‖Δθ decay‖', tensor: (l) => l.decayNorm, module: (r) => r.decayNorm },
  { key: 'decayShare', label: 'decay share', tensor: (l) => l.decayShare, module: (r) => r.decayShare },
  { key: 'updateToWeight', label: '‖Δθ‖/‖θ‖', tensor: (l) => l.updateToWeight, module: (r) => r.updateToWeight },
  { key: 'effectiveDecay', label: 'effective decay', tensor: (l) => l.effectiveDecay, module: (r) => r.effectiveDecay },
];

/** Rows a model's table opens to by default: modules open breadth first while the rows shown stay within this. */
export const DEFAULT_VISIBLE_ROWS = 24;

export type Parameters = readonly { name: string; shape: readonly number[] }[];

/** The module tree of a run's parameters (in model order). */
export function parameterTree(parameters: Parameters): ModuleSummary {
  return prefixModules(parameters.map((p) => ({ name: p.name, shape: [...p.shape], kind: 'parameter' as const })));
}

/** What a module row shows when open, in model order: its submodules and its own tensors. */
function childrenOf(m: ModuleSummary, parameters: Parameters): ({ module: ModuleSummary } | { tensor: string })[] {
  const index = new Map(parameters.map((p, i) => [p.name, i]));
  const first = (c: ModuleSummary): number => Math.min(...tensorsUnder(parameters, c.path).map((p) => index.get(p.name)!));
  const own = parameters.filter((p) => p.name.lastIndexOf('.') === (m.path === '' ? -1 : m.path.length) && (m.path === '' || p.name.startsWith(`${m.path}.`)));
  return [
    ...m.children.map((c) => ({ at: first(c), item: { module: c } })),
    ...own.map((p) => ({ at: index.get(p.name)!, item: { tensor: p.name } })),
  ].sort((a, b) => a.at - b.at).map((x) => x.item);
}

/**
 * The modules open by default: the root, then breadth first each module whose
 * children still fit within `budget` rows shown (a small model opens fully).
 */
export function defaultOpen(parameters: Parameters, budget = DEFAULT_VISIBLE_ROWS): Set<string> {
  const root = parameterTree(parameters);
  const open = new Set<string>(['']);
  let shown = 1 + childrenOf(root, parameters).length;
  const queue = [...root.children];
  while (queue.length > 0) {
    const m = queue.shift()!;
    const more = childrenOf(m, parameters).length;
    if (shown + more > budget) continue;
    open.add(m.path);
    shown += more;
    queue.push(...m.children);
  }
  return open;
}

export interface ModuleTableOptions {
  /** The model's name, the root row's label. */
  modelName: string;
  /** Open module paths. */
  open: ReadonlySet<string>;
  /** The selected tensor (its per-tensor charts are shown) and module (e.g. picked in the heat map). */
  selectedTensor?: string;
  selectedModule?: string;
  /** The tensor where a NaN/Inf appeared at this step, and the message about it. */
  flagged?: { param: string; kind: string; message: string };
  toggle(path: string): void;
  selectTensor(name: string): void;
}

/** The table (`#layer-table`): module rows `tr[data-module]`, tensor rows `tr[data-layer]`, cells `td[data-key][data-value]`. */
export function moduleTable(record: RunStep, parameters: Parameters, o: ModuleTableOptions): HTMLTableElement {
  const numel = new Map<string, number>(parameters.map((p) => [p.name, p.shape.reduce((a, b) => a * b, 1)]));
  const group = (path: string): GroupTensor[] => tensorsUnder(parameters, path).map((p) => ({ name: p.name, numel: numel.get(p.name)! }));
  const body = h('tbody', {});
  const cells = (value: (c: TermColumn) => number | null | undefined): HTMLElement[] => TERM_COLUMNS.map((c) => {
    const v = value(c);
    return h('td', { 'data-key': c.key, 'data-value': v === null || v === undefined ? '' : String(v) }, formatNumber(v));
  });

  const addModule = (m: ModuleSummary, depth: number, hidden: boolean): void => {
    const isOpen = o.open.has(m.path);
    const tensors = group(m.path);
    const r = rollUp(record, tensors);
    const label = m.path === '' ? o.modelName : m.name;
    const toggle = h('button', { class: 'toggle', type: 'button', 'aria-expanded': String(isOpen), 'aria-label': `${isOpen ? 'Close' : 'Open'} ${m.path || o.modelName}` }, isOpen ? '▾' : '▸');
    toggle.addEventListener('click', () => o.toggle(m.path));
    const head = h('th', { scope: 'row' }, toggle, h('span', { class: 'module-name' }, label), h('span', { class: 'count' }, ` ${tensors.length} tensor${tensors.length === 1 ? '' : 's'}`));
    head.style.paddingLeft = `${4 + depth * 14}px`;
    const row = h('tr', {
      class: `module${m.path === o.selectedModule ? ' selected' : ''}`, 'data-module': m.path, 'aria-level': depth + 1, 'aria-expanded': String(isOpen), ...(hidden ? { hidden: true } : {}),
    }, head, ...cells((c) => (r ? c.module(r) : null)));
    body.append(row);
    for (const child of childrenOf(m, parameters)) {
      if ('module' in child) addModule(child.module, depth + 1, hidden || !isOpen);
      else addTensor(child.tensor, depth + 1, hidden || !isOpen);
    }
  };

  const addTensor = (name: string, depth: number, hidden: boolean): void => {
    const l = record.layers[name];
    const flagged = o.flagged?.param === name;
    const last = name.slice(name.lastIndexOf('.') + 1);
    const pick = h('button', { class: 'tensor-name', type: 'button', title: name, 'aria-pressed': String(name === o.selectedTensor) }, h('code', {}, last));
    pick.addEventListener('click', () => o.selectTensor(name));
    const head = h('th', { scope: 'row' }, pick, flagged ? h('span', { class: 'flag', 'aria-label': `${o.flagged!.kind} appeared here` }, ` ${o.flagged!.kind}`) : null);
    head.style.paddingLeft = `${18 + depth * 14}px`;
    const classes = ['tensor', ...(flagged ? ['non-finite'] : []), ...(name === o.selectedTensor ? ['selected'] : [])];
    body.append(h('tr', {
      class: classes.join(' '), 'data-layer': name, 'aria-level': depth + 1, ...(hidden ? { hidden: true } : {}),
      ...(flagged ? { title: o.flagged!.message.replace(/`/g, '') } : {}),
    }, head, ...cells((c) => (l ? c.tensor(l) : null))));
  };

  addModule(parameterTree(parameters), 0, false);
  return h('table', { class: 'layers', id: 'layer-table', role: 'treegrid', 'data-step': record.step },
    h('caption', {}, `Every term per module and tensor at step ${record.step}. A module's norms combine its tensors' as √Σ‖·‖², its ‖Δθ‖/‖θ‖ and decay share are of those combined norms, its means are per element.`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'module / tensor'), ...TERM_COLUMNS.map((c) => h('th', { scope: 'col' }, c.label)))),
    body);
}

/** `open` with every module above `name` open too (and `name` itself when it is a module), so that its row shows. */
export function withAncestors(open: ReadonlySet<string>, name: string, isModule: boolean): Set<string> {
  const next = new Set(open);
  next.add('');
  const parts = name === '' ? [] : name.split('.');
  const depth = isModule ? parts.length : parts.length - 1;
  for (let i = 1; i <= depth; i++) next.add(parts.slice(0, i).join('.'));
  return next;
}
