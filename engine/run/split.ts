/**
 * A held-out validation set: the last ⌈split·n⌉ examples, the rest for
 * training. (The engine's synthetic data is already in random order; for a
 * file in a meaningful order, shuffle it first, as torch's random_split would.)
 */
import { targetWidth, type Dataset } from '../data/dataset';

export function splitValidation(data: Dataset, split: number): { train: Dataset; validation: Dataset | null } {
  if (!(split >= 0 && split < 1)) throw new RangeError(`validation split must be in [0, 1), got ${split}`);
  const held = Math.ceil(split * data.count);
  if (held === 0 || held >= data.count) return { train: data, validation: null };
  const cut = data.count - held;
  return { train: slice(data, 0, cut, 'training'), validation: slice(data, cut, data.count, 'validation') };
}

function slice(data: Dataset, from: number, to: number, part: string): Dataset {
  const d = data.inputDim;
  const t = data.targets;
  const w = targetWidth(t);
  const targets: Dataset['targets'] = t.kind === 'classes'
    ? { ...t, data: t.data.subarray(from * w, to * w) }
    : { kind: 'values', dim: t.dim, data: t.data.subarray(from * t.dim, to * t.dim) };
  return { ...data, count: to - from, inputDim: d, inputs: data.inputs.subarray(from * d, to * d), targets, description: `${data.description} (${part} ${to - from})` };
}
