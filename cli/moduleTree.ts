/**
 * `weightscope init`'s module tree: one line per module, indented by depth,
 * with its class and the parameters of its subtree, counts in one column.
 * A run of three or more identical siblings (the blocks of a transformer)
 * prints the first in full and the rest as one line.
 */
import type { ModuleSummary } from '../engine/inspect/types';

/** Whether the model has modules inside modules (a flat chain of layers prints no tree). */
export function hasNestedModules(root: ModuleSummary): boolean {
  return root.children.some((c) => c.children.length > 0);
}

/** Same class, same count, same submodules (by name and shape): the siblings a loop or a ModuleList makes. */
function signature(m: ModuleSummary): string {
  return `${m.type}:${m.parameterCount}(${m.children.map((c) => `${c.name}=${signature(c)}`).join(',')})`;
}

export function moduleTreeLines(root: ModuleSummary, rootLabel: string): string[] {
  const rows: { text: string; count: string }[] = [];
  const count = (n: number): string => n.toLocaleString('en-US');
  const visit = (m: ModuleSummary, label: string, depth: number): void => {
    const type = m.type && m.type !== label ? `: ${m.type}` : '';
    rows.push({ text: `${'  '.repeat(depth)}${label}${type}`, count: count(m.parameterCount) });
    const children = m.children;
    for (let i = 0; i < children.length;) {
      const first = children[i]!;
      const sig = signature(first);
      let end = i + 1;
      while (end < children.length && signature(children[end]!) === sig) end++;
      visit(first, first.name, depth + 1);
      if (end - i >= 3) {
        const rest = children.slice(i + 1, end);
        const total = rest.reduce((a, c) => a + c.parameterCount, 0);
        rows.push({
          text: `${'  '.repeat(depth + 1)}${rest[0]!.name}…${rest[rest.length - 1]!.name}: ${first.type} ×${rest.length}, same as ${first.name}`,
          count: count(total),
        });
      } else {
        for (const c of children.slice(i + 1, end)) visit(c, c.name, depth + 1);
      }
      i = end;
    }
  };
  visit(root, rootLabel, 0);
  const width = Math.max(...rows.map((r) => r.text.length));
  const countWidth = Math.max(...rows.map((r) => r.count.length));
  return rows.map((r) => `${r.text.padEnd(width)}  ${r.count.padStart(countWidth)}`);
}
