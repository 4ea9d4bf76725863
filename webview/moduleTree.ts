/**
 * The module tree of a model (torch's `named_modules()`, each module with its
 * class and the parameters of its subtree), as data and as a collapsible
 * `vscode-tree`: shared by the inspector's Weights tab and the side panel.
 */
import type { InitInspection, ModuleSummary, ParameterInspection } from '../engine/inspect/types';
import { ce, h } from './dom';
import { formatCount } from './format';

/** The inspection's module tree, or (for inspections saved before it had one) one grouped by name prefix. */
export function modulesOf(inspection: InitInspection): ModuleSummary {
  // The root counts a tied tensor once, as the model's parameter count (torch's parameters()) does.
  return inspection.modules ? { ...inspection.modules, parameterCount: inspection.parameterCount } : prefixModules(inspection.parameters, inspection.parameterCount);
}

/**
 * A module tree read off the tensors' dotted names: `a.b.weight` belongs to
 * module `a.b`, inside `a`. Classes are known only where a tensor names its
 * module; parameter counts add up the subtree's parameters (not buffers).
 */
export function prefixModules(parameters: readonly Pick<ParameterInspection, 'name' | 'shape' | 'kind' | 'module'>[], parameterCount?: number): ModuleSummary {
  const root: ModuleSummary = { name: '', path: '', type: '', parameterCount: 0, children: [] };
  for (const p of parameters) {
    const parts = p.name.split('.').slice(0, -1);
    const numel = p.kind === 'buffer' ? 0 : p.shape.reduce((a, b) => a * b, 1);
    const chain = [root];
    let node = root;
    parts.forEach((part, depth) => {
      let child = node.children.find((c) => c.name === part);
      if (!child) {
        child = { name: part, path: parts.slice(0, depth + 1).join('.'), type: '', parameterCount: 0, children: [] };
        node.children.push(child);
      }
      node = child;
      chain.push(node);
    });
    if (p.module && p.module.path === node.path) node.type = p.module.type;
    for (const m of chain) m.parameterCount += numel;
  }
  if (parameterCount !== undefined) root.parameterCount = parameterCount;
  return root;
}

/** Whether a tensor (under its name or one of its aliases) lives in the module at `path` or below it. */
export function inModule(p: Pick<ParameterInspection, 'name' | 'aliases'>, path: string): boolean {
  if (path === '') return true;
  return [p.name, ...(p.aliases ?? [])].some((n) => n.startsWith(`${path}.`));
}

/** Whether the tree goes deeper than a flat list of layers under the model. */
export function isNested(root: ModuleSummary): boolean {
  return root.children.some((c) => c.children.length > 0);
}

export function findModule(root: ModuleSummary, path: string): ModuleSummary | undefined {
  if (root.path === path) return root;
  for (const c of root.children) {
    if (path === c.path || path.startsWith(`${c.path}.`)) return findModule(c, path);
  }
  return undefined;
}

/** Every module of the tree, depth first (the root first). */
export function allModules(root: ModuleSummary): ModuleSummary[] {
  return [root, ...root.children.flatMap(allModules)];
}

export interface ModuleTreeOptions {
  /** What the root is called (the model's name). */
  rootLabel: string;
  /** Modules shallower than this are expanded (0: the root only shows itself). */
  expandDepth: number;
  /** A module to show: its ancestors are expanded too. */
  reveal?: string;
  /** Called with the module's path when a module is selected (click, Enter or Space). */
  onSelect?: (path: string) => void;
  /** Accessible name of the tree. */
  label: string;
}

/**
 * A `vscode-tree` of the modules: each item names the module (its attribute
 * name, or the model's name for the root), its class (as the description)
 * and the parameters of its subtree (as the decoration). Items carry their
 * path and count as `data-module` and `data-count` (the element keeps `data-path` for itself).
 */
export function moduleTreeElement(root: ModuleSummary, options: ModuleTreeOptions): HTMLElement {
  const tree = ce('vscode-tree', { class: 'module-tree', indent: 10, 'indent-guides': 'always', 'aria-label': options.label });
  tree.append(moduleItem(root, 0, options));
  if (options.onSelect) {
    const onSelect = options.onSelect;
    tree.addEventListener('vsc-tree-select', (event: Event) => {
      // The element sends the selected items as the detail (its typings say { selectedItems }): take either.
      const detail = (event as CustomEvent<unknown>).detail as HTMLElement[] | { selectedItems?: HTMLElement[] } | undefined;
      const item = (Array.isArray(detail) ? detail : detail?.selectedItems ?? [])[0];
      if (item?.dataset.module !== undefined) onSelect(item.dataset.module);
    });
  }
  return tree;
}

function moduleItem(m: ModuleSummary, depth: number, options: ModuleTreeOptions): HTMLElement {
  const label = depth === 0 ? options.rootLabel : m.name;
  const revealed = options.reveal !== undefined && options.reveal !== m.path && (m.path === '' || options.reveal.startsWith(`${m.path}.`));
  const count = formatCount(m.parameterCount);
  const type = m.type && m.type !== label ? m.type : '';
  const item = ce('vscode-tree-item', {
    'data-module': m.path,
    'data-count': m.parameterCount,
    'aria-label': `${label}${type ? `: ${type}` : ''}, ${count} parameters`,
    branch: m.children.length > 0,
    open: m.children.length > 0 && (depth < options.expandDepth || revealed),
  },
  h('span', { class: 'module-name' }, label),
  ...(type ? [h('span', { slot: 'description', class: 'module-type' }, type)] : []),
  h('span', { slot: 'decoration', class: `module-count${m.parameterCount === 0 ? ' zero' : ''}`, 'data-value': m.parameterCount }, count));
  for (const c of m.children) {
    const child = moduleItem(c, depth + 1, options);
    child.setAttribute('slot', 'children');
    item.append(child);
  }
  return item;
}

/** Marks the item of `path` selected in a tree built by moduleTreeElement (once the tree's elements are live). */
export function selectModuleItem(tree: HTMLElement, path: string | undefined): void {
  for (const item of tree.querySelectorAll<HTMLElement & { selected?: boolean }>('vscode-tree-item')) {
    const want = item.dataset.module === path;
    if (Boolean(item.selected) !== want) item.selected = want;
  }
}
