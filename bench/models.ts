/**
 * Two real-world models as module trees, for the inspection benchmarks:
 * nanoGPT's GPT-2 small and torchvision's ResNet-50, each built the way
 * their Python code builds them — the same modules registered in the same
 * order (so the same `state_dict` names and shapes), torch's defaults from
 * constructing each module, then the model's own initialization as steps
 * after them, visited in the order the model's code visits the tensors.
 * Sizes are parameters, so the benchmark's smoke test builds tiny versions.
 *
 * GPT-2 small (nanoGPT model.py, the GPT-2 checkpoints' configuration:
 * vocab 50257, block 1024, 12 layers, 12 heads, n_embd 768, bias=True):
 *
 *   transformer: ModuleDict(wte Embedding(50257, 768), wpe Embedding(1024, 768), drop Dropout,
 *                h ModuleList(12 × Block(ln_1, attn(c_attn Linear(768, 2304), c_proj Linear(768, 768),
 *                attn_dropout, resid_dropout), ln_2, mlp(c_fc Linear(768, 3072), gelu, c_proj Linear(3072, 768),
 *                dropout))), ln_f)
 *   lm_head: Linear(768, 50257, bias=False); transformer.wte.weight = lm_head.weight
 *   self.apply(_init_weights): every Linear weight and Embedding weight normal_(0, 0.02), Linear biases zeros_;
 *   then every parameter named *c_proj.weight normal_(0, 0.02/√(2·n_layer)).
 *
 * nanoGPT's LayerNorm is its own class (weight ones, bias zeros, as bias=True); nn.LayerNorm has the same
 * tensors and initial values, so it stands in for it. The attention's causal-mask buffer exists only without
 * flash attention (torch < 2.0), so it is left out, as in the checkpoints. 124,439,808 parameters
 * (the tied embedding counted once), as `sum(p.numel() for p in model.parameters())` gives.
 *
 * ResNet-50 (torchvision.models.resnet50(), weights=None): Bottleneck blocks [3, 4, 6, 3], BatchNorm2d
 * with running statistics (buffers), the modules() loop: every Conv2d kaiming_normal_(mode='fan_out',
 * nonlinearity='relu'), every BatchNorm2d constant_ 1 (weight) and 0 (bias); fc keeps nn.Linear's defaults.
 * 25,557,032 parameters.
 */
import { constructModule } from '../engine/modules/catalogue';
import { joinPath, namedModules, tensorEntries, type ArgValue, type ModuleNode, type TensorDecl, type TensorTie } from '../engine/modules/tree';
import type { InitSpec, ModelSpec } from '../engine/model/spec';

export interface Gpt2Config {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
}

/** GPT-2 small, as nanoGPT's `GPT.from_pretrained('gpt2')` configures it. */
export const GPT2_SMALL: Gpt2Config = { vocabSize: 50257, blockSize: 1024, nLayer: 12, nHead: 12, nEmbd: 768 };

export interface ResNetConfig {
  /** Bottleneck blocks per stage. */
  layers: [number, number, number, number];
  /** Channels of the stem and of the first stage's bottleneck (torchvision: 64). */
  width: number;
  numClasses: number;
}

/** torchvision's resnet50(). */
export const RESNET50: ResNetConfig = { layers: [3, 4, 6, 3], width: 64, numClasses: 1000 };

/** `torch.sum(p.numel() for p in model.parameters())` of the full-size models (checked by the smoke test). */
export const TORCH_PARAMETER_COUNTS = { gpt2Small: 124_439_808, resnet50: 25_557_032 } as const;

type Children = [string, ModuleNode][];

function container(type: 'Sequential' | 'ModuleList' | 'ModuleDict' | 'Module', children: Children, className?: string): ModuleNode {
  return { type, ...(className ? { className } : {}), args: {}, tensors: [], children: children.map(([name, module]) => ({ name, module })) };
}

function nn(type: string, positional: readonly ArgValue[] = [], keywords: Readonly<Record<string, ArgValue>> = {}): ModuleNode {
  return constructModule(type, positional, keywords);
}

/** `torch.nn.init.<fn>(p, **args)` in the model's code. */
function initStep(fn: string, args: InitSpec['args']): TensorDecl['init'][number] {
  return { op: 'init', init: { fn, args }, origin: 'model file' };
}

/**
 * Runs a model's init code on the tree: `visit` is called for each module in
 * the order torch's `apply` (children first, then the module) or `modules()`
 * visits them, with a function that pushes a step onto one of the module's
 * tensors — onto the tensor object itself, so a tied tensor gets the steps
 * of every name it is visited under, as in torch.
 */
function runInitCode(
  root: ModuleNode, ties: readonly TensorTie[], order: 'apply' | 'modules',
  visit: (module: ModuleNode, path: string, init: (tensor: string, fn: string, args: InitSpec['args']) => void) => void,
): void {
  const declOf = new Map(tensorEntries(root, ties).map((e) => [e.name, e.decl]));
  const modules = namedModules(root);
  const ordered = order === 'modules' ? modules : postOrder(root);
  for (const { path, module } of ordered) {
    visit(module, path, (tensor, fn, args) => {
      const decl = declOf.get(joinPath(path, tensor));
      if (!decl) throw new Error(`${joinPath(path, tensor)} is not a tensor of the model`);
      decl.init.push(initStep(fn, args));
    });
  }
}

/** torch's `Module.apply`: each module's children (recursively) before the module itself. */
function postOrder(root: ModuleNode, prefix = ''): { path: string; module: ModuleNode }[] {
  const out: { path: string; module: ModuleNode }[] = [];
  for (const c of root.children) out.push(...postOrder(c.module, joinPath(prefix, c.name)));
  out.push({ path: prefix, module: root });
  return out;
}

/** nanoGPT's GPT (bias=True, dropout 0.0, GELU) with its `_init_weights` and scaled residual projections. */
export function gpt2Spec(config: Gpt2Config = GPT2_SMALL, seed = 0): ModelSpec {
  const { vocabSize, blockSize, nLayer, nHead, nEmbd } = config;
  if (nEmbd % nHead !== 0) throw new Error('gpt2Spec: n_embd must be divisible by n_head');
  const block = (): ModuleNode => container('Module', [
    ['ln_1', nn('LayerNorm', [nEmbd])],
    ['attn', container('Module', [
      ['c_attn', nn('Linear', [nEmbd, 3 * nEmbd], { bias: true })],
      ['c_proj', nn('Linear', [nEmbd, nEmbd], { bias: true })],
      ['attn_dropout', nn('Dropout', [0])],
      ['resid_dropout', nn('Dropout', [0])],
    ], 'CausalSelfAttention')],
    ['ln_2', nn('LayerNorm', [nEmbd])],
    ['mlp', container('Module', [
      ['c_fc', nn('Linear', [nEmbd, 4 * nEmbd], { bias: true })],
      ['gelu', nn('GELU')],
      ['c_proj', nn('Linear', [4 * nEmbd, nEmbd], { bias: true })],
      ['dropout', nn('Dropout', [0])],
    ], 'MLP')],
  ], 'Block');
  const root = container('Module', [
    ['transformer', container('ModuleDict', [
      ['wte', nn('Embedding', [vocabSize, nEmbd])],
      ['wpe', nn('Embedding', [blockSize, nEmbd])],
      ['drop', nn('Dropout', [0])],
      ['h', container('ModuleList', Array.from({ length: nLayer }, (_, i): [string, ModuleNode] => [String(i), block()]))],
      ['ln_f', nn('LayerNorm', [nEmbd])],
    ])],
    ['lm_head', nn('Linear', [nEmbd, vocabSize], { bias: false })],
  ], 'GPT');
  // self.transformer.wte.weight = self.lm_head.weight
  const ties: TensorTie[] = [{ name: 'transformer.wte.weight', target: 'lm_head.weight' }];
  // self.apply(self._init_weights)
  runInitCode(root, ties, 'apply', (module, _path, init) => {
    if (module.type === 'Linear') {
      init('weight', 'normal_', { mean: 0, std: 0.02 });
      if (module.tensors.some((t) => t.name === 'bias')) init('bias', 'zeros_', {});
    } else if (module.type === 'Embedding') {
      init('weight', 'normal_', { mean: 0, std: 0.02 });
    }
  });
  // for pn, p in self.named_parameters(): if pn.endswith('c_proj.weight'): normal_(p, 0, 0.02/math.sqrt(2 * n_layer))
  runInitCode(root, ties, 'modules', (module, path, init) => {
    if (path.endsWith('c_proj') && module.type === 'Linear') init('weight', 'normal_', { mean: 0, std: 0.02 / Math.sqrt(2 * nLayer) });
  });
  return {
    version: 1, name: 'GPT', modules: root, ties, seed,
    forwardUnavailable: 'the benchmark inspects initialization only',
  };
}

/** torchvision's ResNet with Bottleneck blocks (expansion 4), zero_init_residual=False, groups 1. */
export function resnetSpec(config: ResNetConfig = RESNET50, seed = 0): ModelSpec {
  const expansion = 4;
  const conv1x1 = (inC: number, outC: number, stride = 1) => nn('Conv2d', [inC, outC], { kernel_size: 1, stride, bias: false });
  const conv3x3 = (inC: number, outC: number, stride = 1) => nn('Conv2d', [inC, outC], { kernel_size: 3, stride, padding: 1, groups: 1, bias: false, dilation: 1 });
  const bn = (n: number) => nn('BatchNorm2d', [n]);
  let inplanes = config.width;
  const bottleneck = (planes: number, stride: number, downsample: ModuleNode | null): ModuleNode => {
    const width = planes;
    const children: Children = [
      ['conv1', conv1x1(inplanes, width)], ['bn1', bn(width)],
      ['conv2', conv3x3(width, width, stride)], ['bn2', bn(width)],
      ['conv3', conv1x1(width, planes * expansion)], ['bn3', bn(planes * expansion)],
      ['relu', nn('ReLU', [], { inplace: true })],
    ];
    if (downsample) children.push(['downsample', downsample]);
    return container('Module', children, 'Bottleneck');
  };
  const makeLayer = (planes: number, blocks: number, stride = 1): ModuleNode => {
    const downsample = stride !== 1 || inplanes !== planes * expansion
      ? container('Sequential', [['0', conv1x1(inplanes, planes * expansion, stride)], ['1', bn(planes * expansion)]])
      : null;
    const layers: Children = [['0', bottleneck(planes, stride, downsample)]];
    inplanes = planes * expansion;
    for (let i = 1; i < blocks; i++) layers.push([String(i), bottleneck(planes, 1, null)]);
    return container('Sequential', layers);
  };
  const w = config.width;
  const stem: Children = [
    ['conv1', nn('Conv2d', [3, w], { kernel_size: 7, stride: 2, padding: 3, bias: false })],
    ['bn1', bn(w)],
    ['relu', nn('ReLU', [], { inplace: true })],
    ['maxpool', nn('MaxPool2d', [], { kernel_size: 3, stride: 2, padding: 1 })],
  ];
  const stages: Children = [
    ['layer1', makeLayer(w, config.layers[0])],
    ['layer2', makeLayer(2 * w, config.layers[1], 2)],
    ['layer3', makeLayer(4 * w, config.layers[2], 2)],
    ['layer4', makeLayer(8 * w, config.layers[3], 2)],
  ];
  const root = container('Module', [
    ...stem, ...stages,
    ['avgpool', nn('AdaptiveAvgPool2d', [[1, 1]])],
    ['fc', nn('Linear', [8 * w * expansion, config.numClasses])],
  ], 'ResNet');
  // for m in self.modules(): Conv2d → kaiming_normal_(fan_out, relu); BatchNorm2d → constant_ 1 and 0
  runInitCode(root, [], 'modules', (module, _path, init) => {
    if (module.type === 'Conv2d') init('weight', 'kaiming_normal_', { mode: 'fan_out', nonlinearity: 'relu' });
    else if (module.type === 'BatchNorm2d') {
      init('weight', 'constant_', { val: 1 });
      init('bias', 'constant_', { val: 0 });
    }
  });
  return {
    version: 1, name: 'ResNet', modules: root, seed,
    forwardUnavailable: 'the benchmark inspects initialization only',
  };
}
