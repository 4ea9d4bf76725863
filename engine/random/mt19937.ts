/**
 * The 32-bit Mersenne Twister MT19937 (Matsumoto & Nishimura, 1998), laid
 * out as torch's CPU generator keeps it (ATen's `mt19937_engine`): 624 state
 * words, seeded by the Knuth recurrence
 *
 *   s[0] = seed mod 2³²,  s[j] = 1812433253 · (s[j−1] ⊕ (s[j−1] ≫ 30)) + j  (mod 2³²),
 *
 * regenerated ("twisted") in one pass every 624 draws, each draw tempered
 * before it is returned. `torch.manual_seed(seed)` seeds it with the low 32
 * bits of the seed.
 */
export const MT_STATE_WORDS = 624;
const MT_SHIFT = 397;
const MATRIX_A = 0x9908b0df;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;

export class Mt19937 {
  /** The state words (as signed 32-bit integers: the bits are what matter). */
  readonly state = new Int32Array(MT_STATE_WORDS);
  /** Index of the next state word to temper; MT_STATE_WORDS means "twist first". */
  index = MT_STATE_WORDS;

  constructor(seed = 5489) {
    this.seed(seed);
  }

  /** Seeds with the low 32 bits of an integer seed (ToUint32 of a negative seed is its two's complement, as torch's uint64 cast). */
  seed(seed: number): void {
    const s = this.state;
    s[0] = seed >>> 0;
    for (let j = 1; j < MT_STATE_WORDS; j++) {
      const prev = s[j - 1]!;
      s[j] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + j) | 0;
    }
    this.index = MT_STATE_WORDS;
  }

  /** The next 32 random bits, as an unsigned integer. */
  next(): number {
    if (this.index >= MT_STATE_WORDS) this.twist();
    return temper(this.state[this.index++]!);
  }

  /** Advances past `count` draws without tempering them (what `count` calls of next() would leave). */
  skip(count: number): void {
    let left = count;
    while (left > 0) {
      if (this.index >= MT_STATE_WORDS) this.twist();
      const step = Math.min(left, MT_STATE_WORDS - this.index);
      this.index += step;
      left -= step;
    }
  }

  /** Regenerates all 624 words: s[k] = s[k+397] ⊕ twist(s[k], s[k+1]). */
  twist(): void {
    const s = this.state;
    let k = 0;
    for (; k < MT_STATE_WORDS - MT_SHIFT; k++) {
      const y = (s[k]! & UPPER) | (s[k + 1]! & LOWER);
      s[k] = s[k + MT_SHIFT]! ^ (y >>> 1) ^ (s[k + 1]! & 1 ? MATRIX_A : 0);
    }
    for (; k < MT_STATE_WORDS - 1; k++) {
      const y = (s[k]! & UPPER) | (s[k + 1]! & LOWER);
      s[k] = s[k + MT_SHIFT - MT_STATE_WORDS]! ^ (y >>> 1) ^ (s[k + 1]! & 1 ? MATRIX_A : 0);
    }
    const y = (s[k]! & UPPER) | (s[0]! & LOWER);
    s[k] = s[MT_SHIFT - 1]! ^ (y >>> 1) ^ (s[0]! & 1 ? MATRIX_A : 0);
    this.index = 0;
  }
}

/** MT19937's output tempering (a fixed invertible bit mix of one state word). */
export function temper(word: number): number {
  let y = word;
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  y ^= y >>> 18;
  return y >>> 0;
}
