/**
 * "Open as PyTorch script": a standalone torch script that trains the run's
 * model the same way: the same layers and state_dict names, the same
 * torch.nn.init calls, the same optimizer and parameter groups, the same loss,
 * batch size, step count and data source.
 *
 * The initial weights match bit for bit: the engine draws them with torch's
 * generator, and the script builds the layers and runs the init calls in the
 * engine's order. The synthetic data here is a stand-in of the same shape and
 * task, so it, and every draw after it (dropout, batch order), differs; the
 * script says so in its header.
 */
import type { InitSpec, LayerSpec, ChainModelSpec } from '../model/spec';
import { globMatches } from '../model/patterns';
import { chainTensors, layerPrefix } from '../model/spec';
import { parameterShapes } from '../model/moduleTree';
import { decayOnly } from '../optim/masks';
import { defaultDataset } from '../train/defaults';
import type { RunMeta } from './format';

export function torchScript(meta: RunMeta, spec: ChainModelSpec): string {
  const o = spec.optimizer ?? { type: 'AdamW' as const, lr: 1e-3, args: {}, noDecay: [] };
  const lines: string[] = [];
  const add = (...l: string[]): void => void lines.push(...l);
  add(
    '"""',
    `${meta.name}: reproduces a Weightscope run in PyTorch.`,
    '',
    `Model ${spec.name}, ${o.type} lr=${o.lr} ${pyDict(o.args)}, batch ${meta.batchSize}, ${meta.plannedSteps} steps, seed ${spec.seed}.`,
    'Same architecture, initializers, optimizer, parameter groups, loss and data source as the run. The initial',
    'weights are the run\'s: Weightscope draws them with torch\'s generator from the same seed, in the order this',
    'script fills them. The other random draws (the synthetic data below, dropout, batch order) differ.',
    '"""',
    'import math',
    'from collections import OrderedDict',
    '',
    'import torch',
    'from torch import nn',
    '',
    `torch.manual_seed(${spec.seed})`,
    '',
    // Read by Weightscope when this script is opened as a model file, so that Train on it runs as long as the run
    // did, from the run's seed.
    `# weightscope: training = {"steps": ${meta.plannedSteps}, "batch_size": ${meta.batchSize}}`,
    `# weightscope: seed = ${spec.seed}`,
    'model = nn.Sequential(OrderedDict([',
    ...spec.layers.map((layer, i) => `    (${py(layerPrefix(layer, i))}, ${moduleOf(layer)}),`),
    ']))',
    '',
    'with torch.no_grad():',
  );
  const inits = initCalls(spec);
  add(...(inits.length ? inits.map((l) => `    ${l}`) : ['    pass  # torch\'s default initialization (nn.Linear.reset_parameters)']));
  add('', ...dataCode(spec), '');
  add(`criterion = ${lossOf(spec)}`, '');
  add(...optimizerCode(spec, o.type, o.lr, o.args, o.noDecay, o.decay), '');
  add(
    `steps, batch_size = ${meta.plannedSteps}, ${meta.batchSize}`,
    'loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(inputs, targets), batch_size=batch_size, shuffle=True)',
    'step = 0',
    'while step < steps:',
    '    for x, y in loader:',
    '        optimizer.zero_grad()',
    '        loss = criterion(model(x), y)',
    '        loss.backward()',
    '        optimizer.step()',
    '        step += 1',
    '        if step % 100 == 0 or step == 1:',
    '            print(f"step {step}: loss {loss.item():.6f}")',
    '        if step == steps:',
    '            break',
    '',
  );
  return lines.join('\n');
}

function moduleOf(layer: LayerSpec): string {
  switch (layer.type) {
    case 'Linear':
      return `nn.Linear(${layer.inFeatures}, ${layer.outFeatures}${layer.bias ? '' : ', bias=False'})`;
    case 'Dropout':
      return `nn.Dropout(p=${layer.p})`;
    case 'LayerNorm':
      return `nn.LayerNorm(${layer.normalizedShape}, eps=${layer.eps}${layer.elementwiseAffine ? '' : ', elementwise_affine=False'})`;
    default:
      return `nn.${layer.type}(${Object.entries(layer.args).map(([k, v]) => `${k}=${py(v)}`).join(', ')})`;
  }
}

/**
 * torch.nn.init calls in the order the engine runs them (engine/model/moduleTree.ts), so that torch's generator
 * gives the run's initial weights: layer by layer, weight then bias, each tensor's own init, else the first
 * matching pattern (fnmatch) of its state_dict name.
 */
function initCalls(spec: ChainModelSpec): string[] {
  const out: string[] = [];
  spec.layers.forEach((layer, i) => {
    const prefix = layerPrefix(layer, i);
    for (const which of chainTensors(layer)) {
      const name = `${prefix}.${which}`;
      const init = (layer.type === 'Linear' ? layer.init?.[which] : undefined) ?? spec.initPatterns?.find((p) => globMatches(p.pattern, name))?.init;
      if (init) out.push(initCall(init, `${moduleRef(prefix, i)}.${which}`, layer.type === 'Linear' ? layer.inFeatures : 0));
    }
  });
  return out;
}

/**
 * The layer as a Python expression: `model.fc1` for a name, `model[0]` for an unnamed layer (its state_dict
 * prefix is its position; `model.0` would be a syntax error), `getattr(model, "…")` for any other name.
 */
function moduleRef(prefix: string, position: number): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) return `model.${prefix}`;
  if (prefix === String(position)) return `model[${position}]`;
  return `getattr(model, ${py(prefix)})`;
}

function initCall(init: InitSpec, target: string, fanIn: number): string {
  const fn = init.fn.endsWith('_') ? init.fn : `${init.fn}_`;
  const args = Object.entries(init.args).map(([k, v]) => `, ${k}=${py(v)}`).join('');
  if (fn === 'lecun_normal_') return `nn.init.normal_(${target}, 0.0, ${target}.shape[1] ** -0.5)  # LeCun normal`;
  if (fn === 'lecun_uniform_') return `nn.init.uniform_(${target}, -(3 / ${target}.shape[1]) ** 0.5, (3 / ${target}.shape[1]) ** 0.5)  # LeCun uniform`;
  // nn.Linear.reset_parameters again: it draws anew, as the engine's linear_default_ does.
  if (fn === 'linear_default_') {
    return target.endsWith('.weight') ? `nn.init.kaiming_uniform_(${target}, a=math.sqrt(5))  # nn.Linear's default` : `nn.init.uniform_(${target}, -1 / math.sqrt(${fanIn}), 1 / math.sqrt(${fanIn}))  # nn.Linear's default`;
  }
  return `nn.init.${fn}(${target}${args})`;
}

function dataCode(spec: ChainModelSpec): string[] {
  const d = spec.data;
  const classes = spec.loss?.type === 'CrossEntropyLoss';
  const targetCast = classes ? '.long().reshape(-1)' : '.float()';
  if (d?.kind === 'csv') {
    return [
      'import pandas as pd',
      `frame = pd.read_csv(${py(d.path)})`,
      `inputs = torch.tensor(frame[${py(d.features ?? [])}].values if ${d.features ? 'True' : 'False'} else frame.drop(columns=${py(d.target)}).values, dtype=torch.float32)`,
      `targets = torch.tensor(frame[${py(d.target)}].values)${targetCast}`,
    ];
  }
  if (d?.kind === 'npy') {
    return ['import numpy as np', `inputs = torch.from_numpy(np.load(${py(d.inputs)})).float()`, `targets = torch.from_numpy(np.load(${py(d.targets)}))${targetCast}`];
  }
  const data = defaultDataset(spec);
  return [
    `# Weightscope's data: ${data.description}. A stand-in with the same shape and task, from torch's generator:`,
    `inputs = torch.randn(${data.count}, ${data.inputDim})`,
    // A random tanh network labels the inputs; written with tensors, not an nn.Module, so that Weightscope reading
    // this script finds one model in it.
    '# labelled by a random one-hidden-layer tanh network:',
    `scores = torch.tanh(inputs @ torch.randn(${data.inputDim}, 32) / ${data.inputDim} ** 0.5) @ torch.randn(32, ${data.targets.kind === 'classes' ? data.targets.classes : data.targets.dim}) / 32 ** 0.5`,
    classes ? 'targets = scores.argmax(dim=1)' : spec.loss?.type?.startsWith('BCE') ? 'targets = (scores[:, :1] > 0).float()' : 'targets = scores',
  ];
}

function lossOf(spec: ChainModelSpec): string {
  const loss = spec.loss ?? { type: 'MSELoss', args: {} };
  return `nn.${loss.type}(${Object.entries(loss.args).map(([k, v]) => `${k}=${py(v)}`).join(', ')})`;
}

function optimizerCode(spec: ChainModelSpec, type: string, lr: number, args: Record<string, unknown>, noDecay: string[], decay: 'torch' | 'paper' | undefined): string[] {
  const out: string[] = [];
  const kwargs = Object.entries(args).filter(([k]) => k !== 'weight_decay').map(([k, v]) => `, ${k}=${py(v)}`).join('');
  const wd = typeof args['weight_decay'] === 'number' ? (args['weight_decay'] as number) : undefined;
  if (decay === 'paper') out.push('# The run used the paper\'s decay semantics (θ ← θ − η·λ·θ, independent of lr); torch decays by lr·λ,', `# so weight_decay=${wd ?? 0.01}/lr gives the same decay per step.`);
  const weightDecay = decay === 'paper' ? `${wd ?? 0.01} / ${lr}` : wd === undefined ? undefined : String(wd);
  if (noDecay.length > 0) {
    // The patterns resolved to the parameters they name, written out: a plain membership test that torch runs
    // and that Weightscope reads back when the script is opened as a model (Train on it keeps the groups).
    const exempt = parameterShapes(spec).map((p) => p.name).filter(decayOnly(noDecay));
    out.push(
      `no_decay = ${py(exempt)}  # ${py(noDecay)}`,
      'groups = [',
      `    {"params": [p for n, p in model.named_parameters() if n not in no_decay]${weightDecay ? `, "weight_decay": ${weightDecay}` : ''}},`,
      '    {"params": [p for n, p in model.named_parameters() if n in no_decay], "weight_decay": 0.0},',
      ']',
      `optimizer = torch.optim.${type}(groups, lr=${lr}${kwargs})`,
    );
  } else {
    out.push(`optimizer = torch.optim.${type}(model.parameters(), lr=${lr}${weightDecay ? `, weight_decay=${weightDecay}` : ''}${kwargs})`);
  }
  return out;
}

function py(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e15 ? String(v) : String(v);
  return 'None';
}

function pyDict(args: Record<string, unknown>): string {
  return Object.entries(args).map(([k, v]) => `${k}=${py(v)}`).join(', ');
}
