/** Inspections built by hand for the webview's tests: a small GPT-like tree, and a flat MLP. */
import type { InitInspection, ModuleSummary, ParameterInspection } from '../../../engine/inspect/types';

/** A tensor whose statistics say which one it is (std = 0.01 × its index), with a histogram and a theory. */
export function tensor(name: string, shape: number[], index: number, extra: Partial<ParameterInspection> = {}): ParameterInspection {
  const std = 0.01 * (index + 1);
  const count = shape.reduce((a, b) => a * b, 1);
  return {
    name,
    shape,
    initializer: extra.initializer ?? `normal_(std=${std})`,
    origin: 'model file',
    theory: { family: 'normal', params: { mean: 0, std }, mean: 0, std, support: [-Infinity, Infinity], fanIn: shape.length > 1 ? shape[1]! : null, fanOut: shape.length > 1 ? shape[0]! : null, gain: null },
    sample: { count, mean: 0, std: std * 1.01, min: -3 * std, max: 3 * std },
    histogram: { edges: [-2 * std, -std, 0, std, 2 * std], counts: [1, 4, 4, 1], expected: [1.5, 3.5, 3.5, 1.5] },
    ks: 0.001 * (index + 1),
    kind: 'parameter',
    ...extra,
  };
}

const mod = (name: string, path: string, type: string, parameterCount: number, children: ModuleSummary[] = []): ModuleSummary => ({ name, path, type, parameterCount, children });

/**
 * GPT-ish: wte (tied to lm_head), two blocks of ln + attn (with a non-persistent
 * mask buffer) + mlp, a final norm with a persistent buffer, lm_head. 15 tensors.
 */
export function gptInspection(): InitInspection {
  const E = 8;
  const names: [string, number[], Partial<ParameterInspection>?][] = [
    ['wte.weight', [50, E], { aliases: ['lm_head.weight'], module: { path: 'wte', type: 'Embedding' } }],
  ];
  for (const b of [0, 1]) {
    names.push(
      [`blocks.${b}.ln.weight`, [E], { initializer: 'ones_' }],
      [`blocks.${b}.ln.bias`, [E], { initializer: 'zeros_' }],
      [`blocks.${b}.attn.mask`, [1, 1, 4, 4], { kind: 'buffer', persistent: false, initializer: 'torch.empty (not initialized)', theory: null, ks: null }],
      [`blocks.${b}.attn.c_attn.weight`, [3 * E, E], b === 1 ? { approximate: 'could not follow _init_weights; torch default assumed' } : {}],
      [`blocks.${b}.attn.c_proj.weight`, [E, E]],
      [`blocks.${b}.mlp.c_fc.weight`, [4 * E, E]],
    );
  }
  names.push(['ln_f.weight', [E]], ['ln_f.running_count', [], { kind: 'buffer', persistent: true, initializer: 'zeros_' }]);
  const parameters = names.map(([name, shape, extra], i) => tensor(name, shape, i, extra));
  const numel = (prefix: string): number => parameters.filter((p) => p.kind !== 'buffer' && (p.name.startsWith(`${prefix}.`))).reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
  const block = (b: number): ModuleSummary => mod(String(b), `blocks.${b}`, 'Block', numel(`blocks.${b}`), [
    mod('ln', `blocks.${b}.ln`, 'LayerNorm', numel(`blocks.${b}.ln`)),
    mod('attn', `blocks.${b}.attn`, 'CausalSelfAttention', numel(`blocks.${b}.attn`), [
      mod('c_attn', `blocks.${b}.attn.c_attn`, 'Linear', numel(`blocks.${b}.attn.c_attn`)),
      mod('c_proj', `blocks.${b}.attn.c_proj`, 'Linear', numel(`blocks.${b}.attn.c_proj`)),
      mod('drop', `blocks.${b}.attn.drop`, 'Dropout', 0),
    ]),
    mod('mlp', `blocks.${b}.mlp`, 'MLP', numel(`blocks.${b}.mlp`), [mod('c_fc', `blocks.${b}.mlp.c_fc`, 'Linear', numel(`blocks.${b}.mlp.c_fc`))]),
  ]);
  const parameterCount = parameters.filter((p) => p.kind !== 'buffer').reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
  const modules = mod('', '', 'GPT', parameterCount + 400 /* the engine's root counts lm_head's tied weight again */, [
    mod('wte', 'wte', 'Embedding', 400),
    mod('blocks', 'blocks', 'ModuleList', numel('blocks'), [block(0), block(1)]),
    mod('ln_f', 'ln_f', 'LayerNormWithCount', numel('ln_f')),
    mod('lm_head', 'lm_head', 'Linear', 400),
  ]);
  return { modelName: 'TinyGPT', seed: 0, parameterCount, parameters, modules, elapsedMs: 1 };
}

/** The article's SimpleModel shape: fc1, fc2, fc3 with weight and bias; no module tree (an older saved inspection). */
export function mlpInspection(): InitInspection {
  const shapes: [string, number[]][] = [['fc1.weight', [100, 10]], ['fc1.bias', [100]], ['fc2.weight', [10, 100]], ['fc2.bias', [10]], ['fc3.weight', [1, 10]], ['fc3.bias', [1]]];
  const parameters = shapes.map(([name, shape], i) => tensor(name, shape, i));
  return { modelName: 'SimpleModel', seed: 0, parameterCount: 2121, parameters, elapsedMs: 1 };
}
