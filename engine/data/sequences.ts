/**
 * Data for models that are not MLPs: token sequences and images, seeded and
 * synthetic so that Train works with no data, and a text file read as a
 * character-level dataset.
 *
 *   tokens   a fixed random first-order Markov chain over the vocabulary:
 *            each token has 3 likely successors (probability 0.9 shared),
 *            else a uniform one; inputs are windows of T tokens, targets the
 *            same windows shifted by one (next-token prediction, nanoGPT's
 *            (x, y) pairs). The best possible loss is well below log(vocab),
 *            so a language model visibly learns.
 *   images   (C, H, W) values: a random template per class (N(0, 1)) plus
 *            noise·N(0, 1); the target is the class.
 *   text     the characters of a file, numbered in sorted order (nanoGPT's
 *            shakespeare_char `stoi`), cut into windows of block_size + 1:
 *            inputs the first block_size, targets the last block_size.
 */
import { TorchGenerator } from '../random';
import { allocate, type DType } from '../tensor/dtype';
import type { Dataset } from './dataset';

const SUCCESSORS = 3;
const FOLLOW = 0.9;

export function syntheticTokens(options: { count: number; length: number; vocab: number; seed?: number; dtype?: DType }): Dataset {
  const { count, length, vocab, seed = 0, dtype = 'float32' } = options;
  if (!(count > 0) || !(length > 0) || !(vocab > 1)) throw new RangeError('syntheticTokens: count, length must be positive and vocab at least 2');
  const rng = new TorchGenerator(seed);
  const next = new Int32Array(vocab * SUCCESSORS);
  for (let i = 0; i < next.length; i++) next[i] = rng.int(vocab);
  const inputs = allocate(dtype, count * length);
  const targets = new Int32Array(count * length);
  for (let n = 0; n < count; n++) {
    let token = rng.int(vocab);
    for (let t = 0; t <= length; t++) {
      if (t < length) inputs[n * length + t] = token;
      if (t > 0) targets[n * length + t - 1] = token;
      token = rng.uniform() < FOLLOW ? next[token * SUCCESSORS + rng.int(SUCCESSORS)]! : rng.int(vocab);
    }
  }
  return {
    count, inputDim: length, inputShape: [length], inputKind: 'tokens', inputs,
    targets: { kind: 'classes', classes: vocab, data: targets, shape: [length] },
    description: `synthetic token sequences (a Markov chain over ${vocab} tokens), ${count} × ${length}, seed ${seed}`,
  };
}

export function syntheticImages(options: { count: number; shape: number[]; classes: number; noise?: number; seed?: number; dtype?: DType }): Dataset {
  const { count, shape, classes, noise = 1, seed = 0, dtype = 'float32' } = options;
  const size = shape.reduce((a, b) => a * b, 1);
  if (!(count > 0) || !(size > 0) || !(classes > 0)) throw new RangeError('syntheticImages: count, shape and classes must be positive');
  const rng = new TorchGenerator(seed);
  const templates = new Float64Array(classes * size);
  for (let i = 0; i < templates.length; i++) templates[i] = rng.normal();
  const inputs = allocate(dtype, count * size);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const c = rng.int(classes);
    labels[n] = c;
    for (let i = 0; i < size; i++) inputs[n * size + i] = templates[c * size + i]! + noise * rng.normal();
  }
  return {
    count, inputDim: size, inputShape: [...shape], inputs,
    targets: { kind: 'classes', classes, data: labels },
    description: `synthetic images (${shape.join('×')}, ${classes} classes), ${count} examples, seed ${seed}`,
  };
}

/** A text's characters as a character-level dataset; `vocab` is the sorted set of its characters. */
export function characterDataset(text: string, blockSize: number, name = 'text', dtype: DType = 'float32'): Dataset & { vocab: string[] } {
  if (!(Number.isInteger(blockSize) && blockSize > 0)) throw new RangeError(`block_size must be a positive integer, got ${blockSize}`);
  const chars = [...text];
  const vocab = [...new Set(chars)].sort();
  const index = new Map(vocab.map((c, i) => [c, i]));
  const count = Math.floor((chars.length - 1) / blockSize);
  if (count < 1) throw new RangeError(`${name} has ${chars.length} characters: a block of ${blockSize} needs at least ${blockSize + 1}`);
  const inputs = allocate(dtype, count * blockSize);
  const targets = new Int32Array(count * blockSize);
  for (let n = 0; n < count; n++) {
    for (let t = 0; t < blockSize; t++) {
      const at = n * blockSize + t;
      inputs[at] = index.get(chars[at]!)!;
      targets[at] = index.get(chars[at + 1]!)!;
    }
  }
  return {
    count, inputDim: blockSize, inputShape: [blockSize], inputKind: 'tokens', inputs,
    targets: { kind: 'classes', classes: vocab.length, data: targets, shape: [blockSize] },
    description: `${name}: ${chars.length} characters, ${vocab.length} distinct, ${count} blocks of ${blockSize}`,
    vocab,
  };
}
