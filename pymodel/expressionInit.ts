/**
 * Initializers written as expressions, as in the article's NumPy block:
 *
 *   np.random.normal(0, 1 / np.sqrt(input_dim), size=(input_dim, hidden_dim))
 *   np.random.uniform(-limit, limit, size=…)      torch.randn(n_in, n_out) * math.sqrt(2 / n_in)
 *
 * The family is recognized from the form of the scale, not its value: the
 * scale's square times a fan expression D (one name, or the sum of two) is
 * a constant c for every value of the names, i.e. Var = c/D (normal) or
 * bound² = c/D (uniform). c = 1, D = fan_in is LeCun normal, c = 2 over
 * fan_in + fan_out is Xavier (Glorot) normal, c = 2 over one fan is He
 * (Kaiming) normal, and so on. Where the names have values (module
 * constants), the hover also gives the std or bound.
 */
import { evaluate, type Evaluated, type PyValue, type Scope } from './evaluate';
import type { SyntaxNode } from './parser';
import { callArguments, callee, unparen } from './syntax';

export interface ExpressionInit {
  node: SyntaxNode;
  distribution: 'normal' | 'uniform';
  /** The std (normal) or the bound (uniform) as an expression. */
  scale: (scope: Scope) => Evaluated;
  scaleNode: SyntaxNode;
  size: SyntaxNode | undefined;
  /** How it was written, for the hover's first line. */
  call: string;
}

/** Recognizes an initializer expression at `node` (a call, or a product with a call). */
export function expressionInit(node: SyntaxNode, scope: Scope): ExpressionInit | undefined {
  const n = unparen(node);
  if (n.type === 'call') {
    const q = scope.imports.qualify(callee(n)!);
    const args = callArguments(n);
    if (q === 'numpy.random.normal' || q === 'torch.normal') {
      const scaleNode = args.keywords.get(q === 'torch.normal' ? 'std' : 'scale')?.value ?? args.positional[1];
      if (!scaleNode) return undefined;
      return { node: n, distribution: 'normal', scale: (s) => evaluate(scaleNode, s), scaleNode, size: args.keywords.get('size')?.value ?? args.positional[2], call: q };
    }
    if (q === 'numpy.random.uniform') {
      const low = args.keywords.get('low')?.value ?? args.positional[0];
      const high = args.keywords.get('high')?.value ?? args.positional[1];
      if (!low || !high) return undefined;
      // Symmetric U(−b, b) only: a shifted range is not a fan-scaled initializer.
      if (!symmetric(low, high, scope)) return undefined;
      return { node: n, distribution: 'uniform', scale: (s) => evaluate(high, s), scaleNode: high, size: args.keywords.get('size')?.value ?? args.positional[2], call: q };
    }
    return undefined;
  }
  if (n.type === 'binary_operator') {
    const op = n.childForFieldName('operator')?.text;
    const left = unparen(n.childForFieldName('left')!);
    const right = unparen(n.childForFieldName('right')!);
    const isStandardNormal = (x: SyntaxNode): boolean => {
      const q = x.type === 'call' ? scope.imports.qualify(callee(x)!) : undefined;
      return q === 'numpy.random.randn' || q === 'torch.randn' || q === 'numpy.random.standard_normal';
    };
    const sizeOf = (x: SyntaxNode): SyntaxNode | undefined => {
      const args = callArguments(x);
      return args.keywords.get('size')?.value ?? (args.positional.length === 1 ? args.positional[0] : x.childForFieldName('arguments') ?? undefined);
    };
    if (op === '*' && (isStandardNormal(left) || isStandardNormal(right))) {
      const [draw, scaleNode] = isStandardNormal(left) ? [left, right] : [right, left];
      return { node: n, distribution: 'normal', scale: (s) => evaluate(scaleNode, s), scaleNode, size: sizeOf(draw), call: `${scope.imports.qualify(callee(draw)!)}(…) * s` };
    }
    if (op === '/' && isStandardNormal(left)) {
      return {
        node: n, distribution: 'normal', scaleNode: right, size: sizeOf(left), call: `${scope.imports.qualify(callee(left)!)}(…) / s`,
        scale: (s) => {
          const v = evaluate(right, s);
          return v.ok && typeof v.value === 'number' && v.value !== 0 ? { ok: true, value: 1 / v.value } : v.ok ? { ok: false, node: right, reason: 'a zero divisor' } : v;
        },
      };
    }
  }
  return undefined;
}

export interface Family {
  /** c in Var = c/D (normal) or bound² = c/D (uniform). */
  c: number;
  /** The names whose sum is D (empty: a fixed scale). */
  fans: string[];
  name: string;
  formula: string;
  /** What it is often mistaken for, and the real thing's formula. */
  note?: string;
}

const PROBES = [
  [37, 101, 53, 71, 13, 89],
  [211, 17, 29, 7, 151, 43],
  [5, 61, 97, 19, 113, 3],
];

/** The family of an initializer expression, from the form of its scale. */
export function classify(init: ExpressionInit, scope: Scope): Family | undefined {
  const free = freeNames(init.scaleNode);
  const valueAt = (probe: number[]): number | undefined => {
    const values = new Map(free.map((name, i) => [name, probe[i % probe.length]!] as [string, PyValue]));
    const v = init.scale({ imports: scope.imports, lookup: (name) => values.get(name) ?? scope.lookup(name) });
    return v.ok && typeof v.value === 'number' ? v.value : undefined;
  };
  const samples = PROBES.map((p) => ({ probe: p, s: valueAt(p) }));
  if (samples.some((x) => x.s === undefined)) return undefined;
  const fanSets: string[][] = [[], ...free.map((f) => [f]), ...free.flatMap((a, i) => free.slice(i + 1).map((b) => [a, b]))];
  for (const fans of fanSets) {
    const cs = samples.map(({ probe, s }) => s! * s! * (fans.length === 0 ? 1 : fans.reduce((sum, f) => sum + probe[free.indexOf(f) % probe.length]!, 0)));
    if (cs.every((c) => Math.abs(c - cs[0]!) <= 1e-9 * Math.abs(cs[0]!))) return name(init.distribution, cs[0]!, fans);
  }
  return undefined;
}

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

function name(distribution: 'normal' | 'uniform', c: number, fans: string[]): Family {
  const D = fans.length === 2 ? `${fans[0]} + ${fans[1]}` : fans[0] ?? '';
  if (fans.length === 0) {
    return distribution === 'normal'
      ? { c, fans, name: 'Fixed-scale normal', formula: 'N(0, s²) with s independent of the layer\'s size', note: 'Nothing scales it with the fan: the activation variance is multiplied by about fan_in·s² per layer.' }
      : { c, fans, name: 'Fixed-scale uniform', formula: 'U(−b, b) with b independent of the layer\'s size', note: 'Nothing scales it with the fan: the activation variance is multiplied by about fan_in·b²/3 per layer.' };
  }
  if (distribution === 'normal') {
    if (fans.length === 1 && near(c, 1)) {
      return { c, fans, name: 'LeCun normal', formula: `N(0, 1/fan_in), std = 1/√${D} — LeCun et al. (1998), "Efficient BackProp"`, note: `Not Xavier: Xavier (Glorot) normal averages both fans, std = √(2/(fan_in + fan_out)). LeCun normal equals kaiming_normal_(nonlinearity='linear').` };
    }
    if (fans.length === 1 && near(c, 2)) return { c, fans, name: 'He (Kaiming) normal', formula: `N(0, 2/fan), std = √(2/${D}) — He et al. (2015); kaiming_normal_(nonlinearity='relu')` };
    if (fans.length === 2 && near(c, 2)) return { c, fans, name: 'Xavier (Glorot) normal', formula: `N(0, 2/(fan_in + fan_out)), std = √(2/(${D})) — Glorot & Bengio (2010); xavier_normal_` };
    return { c, fans, name: 'Fan-scaled normal', formula: `N(0, ${fmt(c)}/(${D}))` };
  }
  if (fans.length === 1 && near(c, 3)) return { c, fans, name: 'LeCun uniform', formula: `U(−√(3/${D}), √(3/${D})), variance 1/fan_in — LeCun et al. (1998)` };
  if (fans.length === 1 && near(c, 6)) return { c, fans, name: 'He (Kaiming) uniform', formula: `U(−√(6/${D}), √(6/${D})) — He et al. (2015); kaiming_uniform_(nonlinearity='relu')` };
  if (fans.length === 1 && near(c, 1)) return { c, fans, name: "nn.Linear's default", formula: `U(−1/√${D}, 1/√${D}), variance 1/(3·fan_in) — kaiming_uniform_(a=√5), PyTorch's reset_parameters` };
  if (fans.length === 2 && near(c, 6)) return { c, fans, name: 'Xavier (Glorot) uniform', formula: `U(−a, a), a = √(6/(${D})) — Glorot & Bengio (2010); xavier_uniform_` };
  return { c, fans, name: 'Fan-scaled uniform', formula: `U(−b, b), b² = ${fmt(c)}/(${D})` };
}

/** low = −high for every value of the names in them (checked at the probe points). */
function symmetric(low: SyntaxNode, high: SyntaxNode, scope: Scope): boolean {
  const free = [...new Set([...freeNames(low), ...freeNames(high)])];
  return PROBES.every((probe) => {
    const values = new Map(free.map((name, i) => [name, probe[i % probe.length]!] as [string, PyValue]));
    const probed: Scope = { imports: scope.imports, lookup: (name) => values.get(name) ?? scope.lookup(name) };
    const a = evaluate(low, probed);
    const b = evaluate(high, probed);
    return a.ok && b.ok && typeof a.value === 'number' && typeof b.value === 'number' && near(a.value, -b.value);
  });
}

/** Names in a scale expression that stand for numbers (not functions or modules). */
function freeNames(node: SyntaxNode): string[] {
  const out: string[] = [];
  const walk = (n: SyntaxNode): void => {
    if (n.type === 'identifier') {
      const parent = n.parent;
      const isFunction = parent?.type === 'call' && parent.childForFieldName('function')?.id === n.id;
      if (parent?.type !== 'attribute' && !isFunction && !out.includes(n.text)) out.push(n.text);
      return;
    }
    if (n.type === 'attribute') {
      // self.n_in: a value; np.sqrt: a function (its parent is a call).
      const isFunction = n.parent?.type === 'call' && n.parent.childForFieldName('function')?.id === n.id;
      if (!isFunction && !out.includes(n.text)) out.push(n.text);
      if (!isFunction) return;
    }
    for (const c of n.namedChildren) if (c) walk(c);
  };
  walk(node);
  return out;
}

export function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : Number(x.toPrecision(4)).toString();
}
