/**
 * A seeded pseudo-random generator for everything random in the engine
 * (initializers, dropout masks, synthetic data, batch shuffling).
 *
 * Algorithm: xoshiro128** (Blackman & Vigna, 2018), 128-bit state, period
 * 2^128 − 1, seeded through splitmix32 so that nearby seeds give unrelated
 * streams. It is fast in JavaScript because it needs only 32-bit integer
 * operations (`Math.imul`, shifts).
 *
 * We do not reproduce torch's Mersenne-Twister/Philox streams: the same seed
 * gives different numbers than `torch.manual_seed`. What we do match is the
 * *distributions*: `uniform()` is U[0, 1) with 53 random bits, `normal()` is
 * an exact standard normal (Box–Muller, as torch's CPU `normal_` uses), and
 * tests check samples against the theoretical CDFs (Kolmogorov–Smirnov).
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.reseed(seed);
  }

  reseed(seed: number): void {
    // splitmix32 expands one 32-bit seed into four well-mixed state words.
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
    this.spareNormal = undefined;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** U[0, 1) with 53 random bits: (a·2^21 + b) / 2^53 with a, b the top bits of two draws. */
  uniform(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** U[low, high). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [0, n), without modulo bias (n ≤ 2^32). */
  int(n: number): number {
    if (!(n > 0) || n > 4294967296) throw new RangeError(`Rng.int: n must be in (0, 2^32], got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let x: number;
    do x = this.nextUint32();
    while (x >= limit);
    return x % n;
  }

  /**
   * Standard normal N(0, 1) by the Box–Muller transform:
   *   z0 = √(−2 ln u1) · cos(2π u2),  z1 = √(−2 ln u1) · sin(2π u2)
   * with u1 ∈ (0, 1] so that the logarithm is finite. z1 is kept for the next call.
   */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /**
   * out[i] = low + width·u_i for the next out.length uniforms: the values
   * `uniform()` would give one by one, drawn with the state in local
   * variables (a field read and write per word costs several times the word).
   */
  fillUniform(out: Float32Array | Float64Array, low: number, width: number): void {
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    for (let i = 0; i < out.length; i++) {
      // Two words of xoshiro128**, as nextUint32 computes them, written out: through a local closure (as
      // fillNormal draws, where log/sin/cos dominate) this loop takes 18 ns a value instead of 3.
      const a = (Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0) >>> 5;
      let t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      const b = (Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0) >>> 6;
      t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      out[i] = low + width * ((a * 67108864 + b) / 9007199254740992);
    }
    this.s0 = s0; this.s1 = s1; this.s2 = s2; this.s3 = s3;
  }

  /**
   * out[i] = mean + std·z_i for the next out.length standard normals: the
   * values `normal()` would give one by one (Box–Muller pairs, the spare
   * carried in and out), with the state in local variables.
   */
  fillNormal(out: Float32Array | Float64Array, mean: number, std: number): void {
    let i = 0;
    if (this.spareNormal !== undefined && out.length > 0) {
      out[i++] = mean + std * this.spareNormal;
      this.spareNormal = undefined;
    }
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const next = (): number => {
      const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      return r;
    };
    while (i < out.length) {
      const a1 = next() >>> 5;
      const b1 = next() >>> 6;
      const a2 = next() >>> 5;
      const b2 = next() >>> 6;
      const u1 = 1 - (a1 * 67108864 + b1) / 9007199254740992;
      const u2 = (a2 * 67108864 + b2) / 9007199254740992;
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * u2;
      out[i++] = mean + std * (r * Math.cos(theta));
      const spare = r * Math.sin(theta);
      if (i < out.length) out[i++] = mean + std * spare;
      else this.spareNormal = spare;
    }
    this.s0 = s0; this.s1 = s1; this.s2 = s2; this.s3 = s3;
  }

  /** Fisher–Yates shuffle of `0..n-1`, in a new Int32Array. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /** A snapshot of the state, to resume the same stream later (e.g. in a saved run). */
  getState(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  setState(state: readonly [number, number, number, number]): void {
    [this.s0, this.s1, this.s2, this.s3] = state;
    this.spareNormal = undefined;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
