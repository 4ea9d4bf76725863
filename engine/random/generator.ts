/**
 * torch's default CPU generator (`CPUGeneratorImpl`): an MT19937 engine plus
 * the cached second value of the last scalar Box–Muller pair, one cache per
 * precision. `torch.manual_seed(seed)` reseeds the engine and clears both
 * caches; so does `manualSeed` here.
 *
 * The draws torch's distributions build on (ATen's DistributionsHelper.h and
 * TransformationHelper.h):
 *   random()     one 32-bit word;
 *   random64()   two words, the first one high: (w₁ · 2³² + w₂);
 *   float U[0,1)  (random() mod 2²⁴) · 2⁻²⁴, the low 24 bits;
 *   double U[0,1) (random64() mod 2⁵³) · 2⁻⁵³, the low 53 bits.
 */
import { randperm } from './kernels';
import { Mt19937 } from './mt19937';

const TWO_POW_24 = 16777216;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** What a run records about the numbers' source: torch's generator, seeded as `torch.manual_seed(seed)`. */
export interface GeneratorInfo {
  kind: 'torch-mt19937-cpu';
  seed: number;
  /** For people: `torch.manual_seed(0) · mt19937 (CPU)`. */
  label: string;
}

export function generatorInfo(seed: number): GeneratorInfo {
  return { kind: 'torch-mt19937-cpu', seed, label: `torch.manual_seed(${seed}) · mt19937 (CPU)` };
}

/** A generator's complete state (torch's `get_rng_state`, less the seed), to draw later what would be drawn now. */
export interface GeneratorSnapshot {
  readonly words: Int32Array;
  readonly index: number;
  readonly nextFloatNormal: number | undefined;
  readonly nextDoubleNormal: number | undefined;
  readonly seed: number;
}

export class TorchGenerator {
  readonly engine = new Mt19937();
  /** Cached second normal of the last float (`normal_distribution<float>`) pair; unused by torch 1.13's CPU kernels but reset with the rest. */
  nextFloatNormal: number | undefined;
  /** Cached second normal of the last scalar double Box–Muller pair (`normal_distribution<double>`). */
  nextDoubleNormal: number | undefined;
  private seedValue = 0;

  constructor(seed = 67280421310721) {
    this.manualSeed(seed);
  }

  /** `torch.manual_seed(seed)` (or `Generator.manual_seed`): the engine from the seed's low 32 bits, caches cleared. */
  manualSeed(seed: number): void {
    if (!Number.isInteger(seed)) throw new RangeError(`manual_seed expects an integer, got ${seed}`);
    this.seedValue = seed;
    this.engine.seed(seed);
    this.nextFloatNormal = undefined;
    this.nextDoubleNormal = undefined;
  }

  snapshot(): GeneratorSnapshot {
    const { engine } = this;
    return { words: engine.state.slice(), index: engine.index, nextFloatNormal: this.nextFloatNormal, nextDoubleNormal: this.nextDoubleNormal, seed: this.seedValue };
  }

  restore(s: GeneratorSnapshot): void {
    this.engine.state.set(s.words);
    this.engine.index = s.index;
    this.nextFloatNormal = s.nextFloatNormal;
    this.nextDoubleNormal = s.nextDoubleNormal;
    this.seedValue = s.seed;
  }

  static fromSnapshot(s: GeneratorSnapshot): TorchGenerator {
    const gen = new TorchGenerator(s.seed);
    gen.restore(s);
    return gen;
  }

  /** `initial_seed()`. */
  get seed(): number {
    return this.seedValue;
  }

  get info(): GeneratorInfo {
    return generatorInfo(this.seedValue);
  }

  /** One 32-bit word (torch's `random()`). */
  random(): number {
    return this.engine.next();
  }

  /** torch's `random64()` split in two words (high first), since a JavaScript number holds only 53 bits. */
  random64Words(out: Uint32Array | number[]): void {
    out[0] = this.engine.next();
    out[1] = this.engine.next();
  }

  /** `uniform_real_distribution<float>(0, 1)`: the low 24 bits of one word over 2²⁴ (exact in float32). */
  uniformFloat(): number {
    return (this.engine.next() & 0xffffff) / TWO_POW_24;
  }

  /** `uniform_real_distribution<double>(0, 1)`: the low 53 bits of random64() over 2⁵³. */
  uniformDouble(): number {
    const hi = this.engine.next() & 0x1fffff;
    const lo = this.engine.next();
    return (hi * TWO_POW_32 + lo) / TWO_POW_53;
  }

  /**
   * `normal_distribution<double>(0, 1)`: the cached value if there is one,
   * else a Box–Muller pair from u₁, u₂ ~ U[0, 1) (doubles):
   *   r = √(−2 ln(1 − u₂)),  θ = 2π u₁,  return r cos θ and keep r sin θ.
   */
  normalDouble(): number {
    const cached = this.nextDoubleNormal;
    if (cached !== undefined) {
      this.nextDoubleNormal = undefined;
      return cached;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    const r = Math.sqrt(-2 * Math.log(1 - u2));
    const theta = 2 * Math.PI * u1;
    this.nextDoubleNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** One U[0, 1) double: `torch.rand((), dtype=torch.float64)`. */
  uniform(): number {
    return this.uniformDouble();
  }

  /** One U[low, high) double: low + (high − low)·u (test data and synthetic inputs; torch's uniform_ is kernels.uniformFill). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * this.uniformDouble();
  }

  /** One N(0, 1) double: `torch.randn((), dtype=torch.float64)` (the scalar Box–Muller path, its pair cached). */
  normal(): number {
    return this.normalDouble();
  }

  /** One integer in [0, n): `torch.randint(0, n, ())`, random() mod n (n ≤ 2³², as torch: no rejection of the modulo bias). */
  int(n: number): number {
    if (!(n > 0) || n > TWO_POW_32 || !Number.isInteger(n)) throw new RangeError(`int: n must be an integer in (0, 2^32], got ${n}`);
    return this.engine.next() % n;
  }

  /** `torch.randperm(n)`: see kernels.randperm. */
  permutation(n: number): Int32Array {
    return randperm(this, n);
  }

  /**
   * `uniform_int_from_to_distribution`: (w mod range) + base with w = random()
   * when range < 2³², else random64() (int64 and floating results only).
   */
  randomFromTo(range: number, base: number, wide: boolean): number {
    if (range < TWO_POW_32 || !wide) return (this.engine.next() % range) + base;
    const hi = this.engine.next();
    const lo = this.engine.next();
    return Number((BigInt(hi) * 4294967296n + BigInt(lo)) % BigInt(range)) + base;
  }
}
