/**
 * The module tree of a model spec, with every initializer the file gives
 * applied as a step after torch's defaults:
 *
 * - a chain model (`layers`) becomes the Sequential torch would build, each
 *   layer under its `state_dict` prefix (a dotted prefix such as `net.0`,
 *   flattened from a Python container, becomes nested containers);
 * - a Linear layer's own `init` and the top-level `init` patterns (first
 *   match wins; a layer's own `init` wins over every pattern) re-initialize
 *   what they name, as `nn.init.*_(…)` after construction does: in a chain,
 *   once every layer is built, layer by layer, weight then bias, each
 *   tensor's own init or else its pattern (the order of the torch script
 *   engine/run/torchScript.ts writes); in a tree, after the file's own fills
 *   (decodeModules.ts), tensor by tensor in `state_dict` order.
 *
 * The result is fresh on every call, so callers may extend it.
 */
import { constructModule } from '../modules/catalogue';
import { cloneModule, countParameters, inTorchOrder, joinPath, namedModules, numelOf, tensorEntries, type ModuleNode, type TensorEntry, type TensorTie } from '../modules/tree';
import { globMatcher } from './patterns';
import { layerPrefix, type InitPattern, type LayerSpec, type ModelSpec } from './spec';

export interface ModelTree {
  root: ModuleNode;
  ties: TensorTie[];
}

export function modelTree(spec: Pick<ModelSpec, 'modules' | 'layers' | 'ties' | 'initPatterns'>): ModelTree {
  const patterns = spec.initPatterns ?? [];
  const root = spec.modules ? cloneModule(spec.modules) : chainTree(spec.layers ?? [], patterns);
  const ties = spec.ties ?? [];
  if (spec.modules) applyPatterns(root, ties, patterns);
  return { root, ties };
}

function chainTree(layers: readonly LayerSpec[], patterns: readonly InitPattern[]): ModuleNode {
  const root: ModuleNode = { type: 'Sequential', args: {}, tensors: [], children: [] };
  // The file's initializers run once the whole model is constructed, layer by layer (weight, then bias), as an
  // `__init__` that ends with `for m in self.modules(): …` runs them: so they draw after every default.
  const fileInits: (() => void)[] = [];
  const compiled = patterns.map((p) => ({ test: globMatcher(p.pattern), init: p.init }));
  layers.forEach((layer, index) => {
    const path = layerPrefix(layer, index).split('.');
    let parent = root;
    for (let depth = 0; depth < path.length - 1; depth++) {
      const part = path[depth]!;
      let next = parent.children.find((c) => c.name === part)?.module;
      if (!next) {
        // A container whose children are numbered is a Sequential (or a ModuleList: the same state_dict names).
        next = { type: /^\d+$/.test(path[depth + 1]!) ? 'Sequential' : 'Module', args: {}, tensors: [], children: [] };
        parent.children.push({ name: part, module: next });
      }
      parent = next;
    }
    const module = layerModule(layer);
    parent.children.push({ name: path[path.length - 1]!, module });
    for (const t of module.tensors) {
      const name = joinPath(layerPrefix(layer, index), t.name);
      // The layer's own init wins over every pattern; the first matching pattern, else.
      const init = (layer.type === 'Linear' ? layer.init?.[t.name as 'weight' | 'bias'] : undefined) ?? compiled.find((p) => p.test.test(name))?.init;
      if (init) fileInits.push(() => t.init.push(inTorchOrder({ op: 'init', init, origin: 'model file' })));
    }
  });
  for (const run of fileInits) run();
  return root;
}

function layerModule(layer: LayerSpec): ModuleNode {
  switch (layer.type) {
    case 'Linear':
      return constructModule('Linear', [], { in_features: layer.inFeatures, out_features: layer.outFeatures, bias: layer.bias });
    case 'LayerNorm':
      return constructModule('LayerNorm', [], { normalized_shape: layer.normalizedShape, eps: layer.eps, elementwise_affine: layer.elementwiseAffine });
    case 'Dropout':
      return constructModule('Dropout', [], { p: layer.p });
    default:
      return constructModule(layer.type, [], layer.args);
  }
}

/** Top-level patterns: the first that matches a tensor the file did not initialize itself re-initializes it. */
function applyPatterns(root: ModuleNode, ties: readonly TensorTie[], patterns: readonly InitPattern[]): void {
  if (patterns.length === 0) return;
  const compiled = patterns.map((p) => ({ test: globMatcher(p.pattern), init: p.init }));
  const done = new Set<object>();
  for (const e of tensorEntries(root, ties)) {
    if (e.decl.kind !== 'parameter' || done.has(e.decl) || e.decl.init.some((s) => s.op === 'init' && s.origin === 'model file')) continue;
    const match = compiled.find((p) => p.test.test(e.name));
    if (!match) continue;
    done.add(e.decl);
    e.decl.init.push(inTorchOrder({ op: 'init', init: match.init, origin: 'model file' }));
  }
}

/** Every parameter's `state_dict` name and shape, in `parameters()` order (a tied tensor once). */
export function parameterShapes(spec: Pick<ModelSpec, 'modules' | 'layers' | 'ties'>): { name: string; shape: number[] }[] {
  const { root, ties } = modelTree(spec);
  return tensorEntries(root, ties).filter((e) => e.decl.kind === 'parameter' && e.sameAs === undefined).map((e) => ({ name: e.name, shape: e.decl.shape }));
}

/** torch's `sum(p.numel() for p in model.parameters())`. */
export function parameterCount(spec: Pick<ModelSpec, 'modules' | 'layers' | 'ties'>): number {
  const { root, ties } = modelTree(spec);
  return countParameters(root, ties);
}

/** Every tensor (parameters, then buffers, per module) in `state_dict` order, ties resolved. */
export function modelTensors(spec: Pick<ModelSpec, 'modules' | 'layers' | 'ties' | 'initPatterns'>): TensorEntry[] {
  const { root, ties } = modelTree(spec);
  return tensorEntries(root, ties);
}

export { joinPath, namedModules, numelOf };
