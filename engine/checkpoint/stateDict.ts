/**
 * Finding the weights in an unpickled checkpoint. `torch.save` stores any
 * object; the common layouts are
 *   a state_dict itself                      {'fc.weight': tensor, …}
 *   Lightning's *.ckpt                       {'state_dict': {…}, 'epoch': 3, 'optimizer_states': […], …}
 *   training scripts                         {'model': {…}, 'optimizer': {…}, 'epoch': 5}
 *   DDP / torch.compile wrappers             names prefixed 'module.' / '_orig_mod.'
 * The state dict is found by following, from the top, the first of the
 * WRAPPER_KEYS that holds a dict with tensors in it, as long as the current
 * dict has no tensors of its own; its tensors at any depth are then named by
 * their dotted key path, and a prefix every name shares is removed.
 */
import { PyDict, PyTuple, TensorRef, type PickleValue } from './unpickle';

const WRAPPER_KEYS = ['state_dict', 'model_state_dict', 'model', 'module', 'net', 'network', 'weights', 'params'];

/** Prefixes wrappers add to every parameter name. */
const WRAPPER_PREFIXES = ['module.', '_orig_mod.'];

/** Deeper nesting is refused rather than risking the call stack on a hostile file. */
const MAX_DEPTH = 64;

export interface FoundTensors {
  tensors: { name: string; tensor: TensorRef }[];
  nesting: string[];
  strippedPrefix?: string;
  otherKeys: string[];
}

function hasTensors(value: PickleValue, depth = 0, seen = new Set<object>()): boolean {
  if (value instanceof TensorRef) return true;
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  for (const [, v] of children(value)) if (hasTensors(v, depth + 1, seen)) return true;
  return false;
}

function children(value: PickleValue): [string, PickleValue][] {
  if (value instanceof PyDict) return [...value.entries].map(([k, v]) => [keyText(k), v]);
  if (Array.isArray(value)) return value.map((v, i) => [String(i), v]);
  if (value instanceof PyTuple) return value.items.map((v, i) => [String(i), v]);
  return [];
}

function keyText(key: PickleValue): string {
  return typeof key === 'string' || typeof key === 'number' || typeof key === 'boolean' ? String(key) : key === null ? 'None' : `<${typeof key}>`;
}

export function findTensors(root: PickleValue, fail: (detail: string) => never): FoundTensors {
  const nesting: string[] = [];
  let current = root;
  let otherKeys: string[] = [];
  for (;;) {
    if (!(current instanceof PyDict)) break;
    const ownTensors = [...current.entries.values()].some((v) => v instanceof TensorRef);
    if (ownTensors) break;
    const key = WRAPPER_KEYS.find((k) => {
      const v = (current as PyDict).entries.get(k);
      return v instanceof PyDict && hasTensors(v);
    });
    if (key === undefined) break;
    if (nesting.length === 0) otherKeys = [...current.entries.keys()].map(keyText).filter((k) => k !== key);
    nesting.push(key);
    current = current.entries.get(key)!;
  }

  const tensors: FoundTensors['tensors'] = [];
  const seen = new Set<object>();
  const walk = (value: PickleValue, name: string, depth: number): void => {
    if (value instanceof TensorRef) {
      tensors.push({ name: name || 'tensor', tensor: value });
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if (depth > MAX_DEPTH) fail(`objects nested more than ${MAX_DEPTH} deep at '${name}'`);
    if (seen.has(value)) return; // a container reached twice (the memo allows cycles)
    seen.add(value);
    for (const [k, v] of children(value)) walk(v, name ? `${name}.${k}` : k, depth + 1);
  };
  walk(current, '', 0);
  if (tensors.length === 0) fail('the checkpoint holds no tensors');

  let strippedPrefix: string | undefined;
  for (let again = true; again;) {
    again = false;
    for (const prefix of WRAPPER_PREFIXES) {
      if (tensors.every((t) => t.name.startsWith(prefix) && t.name.length > prefix.length)) {
        for (const t of tensors) t.name = t.name.slice(prefix.length);
        strippedPrefix = (strippedPrefix ?? '') + prefix;
        again = true;
      }
    }
  }
  return { tensors, nesting, otherKeys, ...(strippedPrefix ? { strippedPrefix } : {}) };
}
