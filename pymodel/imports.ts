/**
 * What the names in a Python file refer to, from its import statements:
 * `import torch.nn as nn`, `from torch import nn, optim`,
 * `from torch.nn import Linear`, `import torch.nn.functional as F`, … so
 * that `nn.Linear`, `Linear` and `torch.nn.Linear` all read as
 * `torch.nn.Linear`. Snippets often leave their imports out, so the usual
 * aliases (nn, F, optim, init, np) are assumed when a file does not bind them.
 */
import type { SyntaxNode } from './parser';
import { dottedParts, unparen } from './syntax';

const CONVENTIONAL: Readonly<Record<string, string>> = {
  torch: 'torch',
  nn: 'torch.nn',
  F: 'torch.nn.functional',
  optim: 'torch.optim',
  init: 'torch.nn.init',
  np: 'numpy',
  numpy: 'numpy',
  math: 'math',
};

export class Imports {
  private readonly names = new Map<string, string>();

  static read(module: SyntaxNode): Imports {
    const imports = new Imports();
    for (const statement of module.namedChildren) {
      if (statement) imports.add(statement);
    }
    return imports;
  }

  private add(statement: SyntaxNode): void {
    if (statement.type === 'import_statement') {
      for (const item of statement.namedChildren) {
        if (!item) continue;
        if (item.type === 'dotted_name') {
          // `import torch.nn` binds `torch`.
          const head = item.text.split('.')[0]!;
          this.names.set(head, head);
        } else if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name')?.text;
          const alias = item.childForFieldName('alias')?.text;
          if (name && alias) this.names.set(alias, name);
        }
      }
    } else if (statement.type === 'import_from_statement') {
      const module = statement.childForFieldName('module_name')?.text;
      if (!module) return;
      // `from . import components` names `.components`, not `..components`.
      const join = (name: string): string => (module.endsWith('.') ? `${module}${name}` : `${module}.${name}`);
      for (const item of statement.childrenForFieldName('name')) {
        if (!item) continue;
        if (item.type === 'dotted_name') this.names.set(item.text, join(item.text));
        else if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name')?.text;
          const alias = item.childForFieldName('alias')?.text;
          if (name && alias) this.names.set(alias, join(name));
        }
      }
    }
  }

  /**
   * The qualified name of a dotted expression (`nn.init.xavier_uniform_` →
   * `torch.nn.init.xavier_uniform_`), or undefined when its head is not an
   * imported name. `locals` are names the code binds itself (they shadow).
   */
  qualify(node: SyntaxNode, locals: ReadonlySet<string> = EMPTY): string | undefined {
    if (locals !== EMPTY) return this.qualifyParts(node, locals);
    // The memo lives on the node: one file's nodes, one file's imports.
    if (node.memoQualified === undefined) node.memoQualified = this.qualifyParts(node, locals) ?? null;
    return node.memoQualified ?? undefined;
  }

  /** The qualified name a bare name is imported as (`nn` → `torch.nn`), or undefined. */
  qualifyName(name: string): string | undefined {
    return this.names.get(name) ?? CONVENTIONAL[name];
  }

  private qualifyParts(node: SyntaxNode, locals: ReadonlySet<string>): string | undefined {
    const parts = dottedParts(unparen(node));
    if (!parts) return undefined;
    const [head, ...rest] = parts;
    if (locals.has(head!)) return undefined;
    const base = this.names.get(head!) ?? CONVENTIONAL[head!];
    return base ? [base, ...rest].join('.') : undefined;
  }
}

const EMPTY: ReadonlySet<string> = new Set();
