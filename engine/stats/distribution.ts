/**
 * Univariate distributions as plain records: moments, support, an optional
 * density and the distribution function. Initializer theories (engine/init)
 * are built from these; the KS test and histogram overlays consume them.
 */
import { normalCdf, normalPdf, standardNormalCdf, standardNormalPdf, standardNormalSurvival } from './normal';
import { lnGamma, regularizedIncompleteBeta } from './special';

/** A point mass: P(X = x) = p. */
export interface Atom {
  readonly x: number;
  readonly p: number;
}

export interface Distribution {
  readonly mean: number;
  readonly std: number;
  /** Smallest closed interval holding all the mass; ±Infinity where unbounded. */
  readonly support: readonly [number, number];
  /** Kurtosis E[(X − μ)⁴]/σ⁴ (not excess: 3 for a normal); NaN where σ = 0. */
  readonly kurtosis: number;
  /** Point masses, ascending in x (empty for continuous distributions). */
  readonly atoms: readonly Atom[];
  /** Density of the absolutely continuous part (absent when there is none). */
  readonly pdf?: (x: number) => number;
  /** F(x) = P(X ≤ x), right-continuous. */
  readonly cdf: (x: number) => number;
}

/** P(X < x) = F(x) minus the atom at x, the left limit of F. */
export function cdfLeft(dist: Distribution, x: number): number {
  let value = dist.cdf(x);
  for (const atom of dist.atoms) if (atom.x === x) value -= atom.p;
  return Math.max(0, value);
}

/** A discrete distribution on the given atoms (probabilities must sum to 1). */
export function discreteDistribution(atoms: readonly Atom[]): Distribution {
  const sorted = atoms.filter((a) => a.p > 0).sort((u, v) => u.x - v.x);
  let mean = 0;
  for (const a of sorted) mean += a.p * a.x;
  let m2 = 0;
  let m4 = 0;
  for (const a of sorted) {
    const d = a.x - mean;
    m2 += a.p * d * d;
    m4 += a.p * d * d * d * d;
  }
  const lo = sorted.length > 0 ? sorted[0]!.x : NaN;
  const hi = sorted.length > 0 ? sorted[sorted.length - 1]!.x : NaN;
  return {
    mean,
    std: Math.sqrt(m2),
    support: [lo, hi],
    kurtosis: m2 > 0 ? m4 / (m2 * m2) : NaN,
    atoms: sorted,
    cdf: (x) => {
      let f = 0;
      for (const a of sorted) if (a.x <= x) f += a.p;
      return Math.min(1, f);
    },
  };
}

export function pointMass(x: number): Distribution {
  return discreteDistribution([{ x, p: 1 }]);
}

/**
 * U(low, high): density 1/(high − low), mean (low + high)/2,
 * std (high − low)/√12, kurtosis 9/5. Degenerates to a point mass when low = high.
 */
export function uniformDistribution(low: number, high: number): Distribution {
  if (low === high) return pointMass(low);
  const width = high - low;
  return {
    mean: low + width / 2,
    std: width / Math.sqrt(12),
    support: [low, high],
    kurtosis: 1.8,
    atoms: [],
    pdf: (x) => (x >= low && x <= high ? 1 / width : 0),
    cdf: (x) => (x <= low ? 0 : x >= high ? 1 : (x - low) / width),
  };
}

/** N(mean, std²); a point mass when std = 0. */
export function normalDistribution(mean: number, std: number): Distribution {
  if (std === 0) return pointMass(mean);
  return {
    mean,
    std,
    support: [-Infinity, Infinity],
    kurtosis: 3,
    atoms: [],
    pdf: (x) => normalPdf(x, mean, std),
    cdf: (x) => normalCdf(x, mean, std),
  };
}

/**
 * N(mean, std²) conditioned on a ≤ X ≤ b. With α = (a − μ)/σ, β = (b − μ)/σ and
 * Z = Φ(β) − Φ(α):
 *   f(x) = φ((x − μ)/σ) / (σ Z) on [a, b],   F(x) = (Φ((x − μ)/σ) − Φ(α)) / Z.
 * Raw moments of the standardized variable follow from integrating by parts:
 *   m_k = (k − 1) m_{k−2} − (β^{k−1} φ(β) − α^{k−1} φ(α)) / Z,  m₀ = 1, m₋₁ term absent,
 * which gives the mean, variance and kurtosis exactly.
 */
export function truncatedNormalDistribution(mean: number, std: number, a: number, b: number): Distribution {
  if (std === 0 || a === b) return pointMass(Math.min(b, Math.max(a, mean)));
  const alpha = (a - mean) / std;
  const beta = (b - mean) / std;
  const lowerMass = (z: number): number => (alpha > 0 ? standardNormalSurvival(alpha) - standardNormalSurvival(z) : standardNormalCdf(z) - standardNormalCdf(alpha));
  const z = lowerMass(beta);
  if (!(z > 0)) return pointMass(alpha > 0 ? a : b); // all mass underflows: the limit is the nearer bound
  // Standardized raw moments m1..m4.
  const boundaryTerm = (k: number): number => powPhi(beta, k - 1) - powPhi(alpha, k - 1);
  const m1 = -boundaryTerm(1) / z;
  const m2 = 1 - boundaryTerm(2) / z;
  const m3 = 2 * m1 - boundaryTerm(3) / z;
  const m4 = 3 * m2 - boundaryTerm(4) / z;
  const variance = Math.max(0, m2 - m1 * m1);
  const central4 = m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 ** 4;
  return {
    mean: mean + std * m1,
    std: std * Math.sqrt(variance),
    support: [a, b],
    kurtosis: central4 / (variance * variance),
    atoms: [],
    pdf: (x) => (x < a || x > b ? 0 : standardNormalPdf((x - mean) / std) / (std * z)),
    cdf: (x) => (x <= a ? 0 : x >= b ? 1 : Math.min(1, Math.max(0, lowerMass((x - mean) / std) / z))),
  };
}

/** t^k φ(t), taken as 0 at t = ±∞. */
function powPhi(t: number, k: number): number {
  if (!Number.isFinite(t)) return 0;
  return t ** k * standardNormalPdf(t);
}

/**
 * One coordinate of a point drawn uniformly on the unit sphere S^{n−1} ⊂ ℝⁿ,
 * multiplied by `scale`. This is the marginal of every entry of a Haar-random
 * n×n orthogonal matrix (each column is uniform on the sphere).
 *
 * If X = (X₁..X_n) is uniform on the sphere, X₁² ~ Beta(½, (n−1)/2), so for
 * |x| < 1 the density of X₁ is
 *   f(x) = Γ(n/2) / (√π Γ((n−1)/2)) · (1 − x²)^{(n−3)/2},
 *   F(x) = ½ + ½ sign(x) I_{x²}(½, (n−1)/2),
 * with E X₁ = 0, E X₁² = 1/n, E X₁⁴ = 3/(n(n+2)), hence std = scale/√n and
 * kurtosis 3n/(n+2). For n = 1 the coordinate is ±1 with probability ½ each.
 */
export function sphereCoordinateDistribution(n: number, scale: number): Distribution {
  if (n === 1 || scale === 0) return discreteDistribution(scale === 0 ? [{ x: 0, p: 1 }] : [{ x: -Math.abs(scale), p: 0.5 }, { x: Math.abs(scale), p: 0.5 }]);
  const s = Math.abs(scale);
  const normalizer = Math.exp(lnGamma(n / 2) - lnGamma((n - 1) / 2)) / Math.sqrt(Math.PI);
  const shapeB = (n - 1) / 2;
  return {
    mean: 0,
    std: s / Math.sqrt(n),
    support: [-s, s],
    kurtosis: (3 * n) / (n + 2),
    atoms: [],
    pdf: (x) => {
      const u = x / s;
      if (!(Math.abs(u) <= 1)) return 0;
      return (normalizer * Math.pow(1 - u * u, (n - 3) / 2)) / s;
    },
    cdf: (x) => {
      const u = x / s;
      if (u <= -1) return 0;
      if (u >= 1) return 1;
      const half = 0.5 * regularizedIncompleteBeta(u * u, 0.5, shapeB);
      return u < 0 ? 0.5 - half : 0.5 + half;
    },
  };
}

/**
 * With probability p the value is exactly 0, otherwise it is drawn from `base`:
 * F(x) = p·[x ≥ 0] + (1 − p)·F_base(x). Mean (1 − p)μ, E X² = (1 − p)(σ² + μ²);
 * the kurtosis is given for a zero-mean base: κ/(1 − p).
 */
export function zeroInflatedDistribution(base: Distribution, p: number): Distribution {
  if (p <= 0) return base;
  if (p >= 1) return pointMass(0);
  const q = 1 - p;
  const mean = q * base.mean;
  const second = q * (base.std * base.std + base.mean * base.mean);
  const variance = Math.max(0, second - mean * mean);
  const atoms = mergeAtoms([{ x: 0, p }, ...base.atoms.map((a) => ({ x: a.x, p: q * a.p }))]);
  const basePdf = base.pdf;
  const dist: Distribution = {
    mean,
    std: Math.sqrt(variance),
    support: [Math.min(0, base.support[0]), Math.max(0, base.support[1])],
    kurtosis: base.mean === 0 ? base.kurtosis / q : NaN,
    atoms,
    cdf: (x) => (x >= 0 ? p : 0) + q * base.cdf(x),
  };
  return basePdf ? { ...dist, pdf: (x) => q * basePdf(x) } : dist;
}

function mergeAtoms(atoms: readonly Atom[]): Atom[] {
  const byX = new Map<number, number>();
  for (const a of atoms) byX.set(a.x, (byX.get(a.x) ?? 0) + a.p);
  return [...byX.entries()].map(([x, p]) => ({ x, p })).sort((u, v) => u.x - v.x);
}

/**
 * The distribution of c·X (`p.mul_(c)` after an initializer): moments and
 * support scale by c (|c| for the std), the density by 1/|c|, and for c < 0
 * F_cX(x) = P(X ≥ x/c) = 1 − F_X(x/c) + P(X = x/c).
 */
export function scaledDistribution(base: Distribution, c: number): Distribution {
  if (c === 1) return base;
  if (c === 0) return pointMass(0);
  const [lo, hi] = base.support;
  const basePdf = base.pdf;
  const dist: Distribution = {
    mean: c * base.mean,
    std: Math.abs(c) * base.std,
    support: c > 0 ? [c * lo, c * hi] : [c * hi, c * lo],
    kurtosis: base.kurtosis,
    atoms: base.atoms.map((a) => ({ x: c * a.x, p: a.p })).sort((u, v) => u.x - v.x),
    cdf: c > 0 ? (x) => base.cdf(x / c) : (x) => 1 - cdfLeft(base, x / c),
  };
  return basePdf ? { ...dist, pdf: (x) => basePdf(x / c) / Math.abs(c) } : dist;
}
