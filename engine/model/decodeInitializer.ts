/**
 * Initializers as model files write them: a `torch.nn.init` name, an object
 * with `fn` and torch's keyword arguments, or (in a module's step list) a
 * `{ "scale": c }` for `p.mul_(c)`.
 */
import type { Located } from './located';
import { DiagnosticSink, entry } from './decodeSupport';
import type { InitSpec } from './spec';

/** The largest finite float32, torch.finfo(torch.float32).max. */
const FLOAT32_MAX = 3.4028234663852886e38;
import { canonicalInitializerName, findInitializer, INITIALIZER_NAMES } from '../init/registry';

/**
 * `"zeros_"` or `{ fn: "normal_", mean: 0, std: 0.01 }`, for a tensor of the
 * given shape. The registry validates the arguments as torch would (names,
 * types, and torch's own errors, such as the fan error for 1-D tensors).
 */
export function decodeInitializer(d: DiagnosticSink, node: Located, shape: number[], paramName?: string): InitSpec | undefined {
  let fnNode: Located | undefined;
  const args: Record<string, number | string | boolean> = {};
  if (node.kind === 'scalar') fnNode = node;
  else if (node.kind === 'object') {
    const fnEntry = entry(node, 'fn');
    if (!fnEntry) {
      d.error('missing-fn', 'An initializer needs "fn", a torch.nn.init function name such as "xavier_uniform_".', node.range);
      return undefined;
    }
    fnNode = fnEntry.value;
    for (const a of node.entries) {
      if (a.key === 'fn') continue;
      const v = a.value.kind === 'scalar' ? a.value.value : undefined;
      if (typeof v === 'number' && !(Math.abs(v) <= FLOAT32_MAX)) {
        // Weights are float32, as torch's default dtype: beyond ±3.4e38 every value is infinite.
        d.error('bad-init-argument', `Initializer argument "${a.key}" is ${v}, beyond float32's range (±3.4e38): the weights would be infinite.`, a.value.range);
        return undefined;
      }
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') args[a.key] = v;
      else d.error('type', `Initializer argument "${a.key}" must be a number, string or boolean.`, a.value.range);
    }
  } else {
    d.error('type', 'An initializer is a name ("zeros_") or an object ({ "fn": "normal_", "std": 0.01 }).', node.range);
    return undefined;
  }
  const raw = fnNode.kind === 'scalar' ? String(fnNode.value) : '';
  const initializer = findInitializer(raw);
  if (!initializer) {
    d.error('unknown-initializer', `Unknown initializer "${raw}". Known: ${INITIALIZER_NAMES.join(', ')}.`, fnNode.range);
    return undefined;
  }
  const fn = canonicalInitializerName(raw);
  if (shape.length < 2 && initializer.needsFans) {
    // torch.nn.init._calculate_fan_in_and_fan_out raises exactly this for 1-D tensors.
    d.error('init-needs-fans', `${fn} cannot initialize ${paramName ? `${paramName} (1-D)` : 'a bias'}: "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions". Use zeros_ or uniform_ for biases.`, fnNode.range);
    return undefined;
  }
  try {
    initializer.theory(shape, args);
  } catch (err) {
    d.error('bad-init-argument', `${fn}: ${err instanceof Error ? err.message : String(err)}`, node.range);
    return undefined;
  }
  return { fn, args };
}

