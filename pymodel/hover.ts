/**
 * Hovers in Python files: on an initializer statement or a layer constructor
 * of a resolved model, the initializer and what it gives for that tensor
 * (the engine's model-file hover); on an initializer written as an
 * expression (`np.random.normal(0, 1 / np.sqrt(n), size=…)`,
 * `torch.randn(…) * s`), the family's real name and, where the fans have
 * values, its std or bound.
 */
import { describeInit, FORMULAS, type HoverInfo } from '../engine/model/hover';
import { canonicalInitializerName } from '../engine/init/registry';
import type { LinearLayerSpec } from '../engine/model/spec';
import { evaluate, type PyValue, type Scope } from './evaluate';
import { classify, expressionInit, fmt, type ExpressionInit } from './expressionInit';
import { Imports } from './imports';
import type { SyntaxNode } from './parser';
import type { PythonFile } from './resolve';
import { assignmentOf, callee, rangeOf, statements } from './syntax';

const MAX_LAYERS = 4;

export function pythonHoverAt(file: PythonFile, offset: number): HoverInfo | undefined {
  return modelHover(file, offset) ?? expressionHover(file.root, offset);
}

function modelHover(file: PythonFile, offset: number): HoverInfo | undefined {
  const inside = (r: { start: number; end: number }): boolean => r.start <= offset && offset <= r.end;
  const parts: string[] = [];
  let range: { start: number; end: number } | undefined;
  for (const model of file.models) {
    const spec = model.result.spec;
    if (!spec) continue;
    model.uses.forEach((use, index) => {
      const layer = spec.layers?.[index];
      if (layer?.type !== 'Linear') return;
      const prefix = layer.name ?? String(index);
      for (const param of ['weight', 'bias'] as const) {
        const init = use.layer.init[param];
        if (init && inside(init.range)) {
          parts.push(describeInit(layer as LinearLayerSpec, prefix, param));
          range ??= init.range;
        }
      }
      const ctor = rangeOf(use.layer.call);
      if (inside(ctor) && use.layer.call.type === 'call' && !parts.length) {
        parts.push(describeInit(layer as LinearLayerSpec, prefix, 'weight'));
        if (layer.bias) parts.push(describeInit(layer as LinearLayerSpec, prefix, 'bias'));
        range = ctor;
      }
    });
  }
  if (!range || parts.length === 0) return undefined;
  const shown = parts.slice(0, MAX_LAYERS);
  if (parts.length > MAX_LAYERS) shown.push(`… and ${parts.length - MAX_LAYERS} more tensors`);
  return { markdown: shown.join('\n\n---\n\n'), range };
}

function expressionHover(root: SyntaxNode, offset: number): HoverInfo | undefined {
  const imports = Imports.read(root);
  const constants = moduleConstants(root, imports);
  const scope: Scope = { imports, lookup: (name) => constants.get(name) };
  for (let n: SyntaxNode | null = root.descendantForIndex(offset); n; n = n.parent) {
    const init = expressionInit(n, scope);
    if (init) return { markdown: describeExpression(init, scope), range: rangeOf(init.node) };
    const fn = n.type === 'call' ? callee(n) : undefined;
    const q = fn ? imports.qualify(fn) : undefined;
    if (q?.startsWith('torch.nn.init.')) {
      const name = canonicalInitializerName(q.slice('torch.nn.init.'.length));
      const formula = FORMULAS[name];
      if (formula) return { markdown: `\`${name}\`: ${formula}\n\nThe std or bound depends on the tensor's fans, which Weightscope knows for the layers of a model it resolves.`, range: rangeOf(n) };
    }
    if (n.type === 'expression_statement' || n.type === 'block') break;
  }
  return undefined;
}

function describeExpression(init: ExpressionInit, scope: Scope): string {
  const family = classify(init, scope);
  const kind = init.distribution === 'normal' ? 'std' : 'bound';
  const lines: string[] = [];
  lines.push(family ? `**${family.name}**: ${family.formula}` : `\`${init.call}\`: a ${init.distribution} initializer whose ${kind} Weightscope cannot put in closed form.`);
  if (family?.note) lines.push(family.note);
  const size = init.size ? evaluate(init.size, scope) : undefined;
  const shape = size?.ok ? (Array.isArray(size.value) ? (size.value as PyValue[]) : [size.value]) : undefined;
  const sizeText = init.size?.text;
  if (sizeText && family && family.fans.length > 0) {
    const dims = sizeText.replace(/^\(|\)$/g, '').split(',').map((s) => s.trim()).filter(Boolean);
    if (dims.length === 1 && family.fans.length >= 1) {
      lines.push('This is a 1-D tensor (a bias): fans are undefined for it (torch raises "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"). Biases are usually zeros, or U(±1/√fan_in) of their layer as nn.Linear does.');
    } else if (dims.length === 2 && init.call.startsWith('numpy') && family.fans.length === 1) {
      const role = family.fans[0] === dims[0] ? 'fan_in (the rows of an x @ W weight)' : family.fans[0] === dims[1] ? 'fan_out (the columns of an x @ W weight)' : undefined;
      if (role) lines.push(`Here \`${family.fans[0]}\` is ${role}.`);
    }
  }
  const value = init.scale(scope);
  if (value.ok && typeof value.value === 'number') {
    const s = value.value;
    const std = init.distribution === 'normal' ? s : s / Math.sqrt(3);
    lines.push(init.distribution === 'normal' ? `- **std = ${fmt(s)}**` : `- **bound = ${fmt(s)}**, std = ${fmt(std)}`);
    if (shape && shape.length === 2 && shape.every((d) => typeof d === 'number')) {
      const fanIn = init.call.startsWith('numpy') ? (shape[0] as number) : (shape[1] as number);
      lines.push(`- shape (${shape.join(', ')}); LeCun normal would give std = 1/√${fanIn} = ${fmt(1 / Math.sqrt(fanIn))}, Xavier normal √(2/${(shape[0] as number) + (shape[1] as number)}) = ${fmt(Math.sqrt(2 / ((shape[0] as number) + (shape[1] as number))))}`);
    }
  } else if (family && family.fans.length > 0) {
    lines.push(`- ${kind}: depends on ${family.fans.map((f) => `\`${f}\``).join(' and ')}, which ${family.fans.length === 1 ? 'has' : 'have'} no value in this file`);
  }
  return lines.join('\n\n');
}

function moduleConstants(root: SyntaxNode, imports: Imports): Map<string, PyValue> {
  const values = new Map<string, PyValue>();
  const scope: Scope = { imports, lookup: (name) => values.get(name) };
  for (const s of statements(root)) {
    const a = assignmentOf(s);
    if (a?.left.type !== 'identifier') continue;
    const v = evaluate(a.right, scope);
    if (v.ok) values.set(a.left.text, v.value);
  }
  return values;
}
