/**
 * Expectations over normal distributions by Gauss–Hermite quadrature, for the
 * analytic signal propagation (signalTheory.ts).
 *
 * The n-point Gauss–Hermite rule integrates against the weight e^{−t²}:
 *
 *   ∫ g(t) e^{−t²} dt ≈ Σᵢ ωᵢ g(tᵢ),
 *
 * exactly for polynomials g of degree ≤ 2n − 1. The nodes tᵢ are the roots of
 * the Hermite polynomial Hₙ. With t = z/√2 it becomes an expectation over the
 * standard normal:
 *
 *   E[g(Z)] = (1/√π) ∫ g(√2·t) e^{−t²} dt ≈ Σᵢ wᵢ g(xᵢ),  xᵢ = √2·tᵢ,  wᵢ = ωᵢ/√π.
 *
 * Nodes are found by Newton's method on the orthonormal Hermite polynomials
 *
 *   p₋₁ = 0,  p₀ = π^{−1/4},  p_{k+1}(t) = t·√(2/(k+1))·p_k(t) − √(k/(k+1))·p_{k−1}(t),
 *
 * whose derivative is pₙ′ = √(2n)·p_{n−1}, and ωᵢ = 2/pₙ′(tᵢ)². The rule is
 * symmetric, so only the non-negative roots are computed (largest first, each
 * started from an asymptotic estimate relative to the previous roots).
 *
 * Accuracy: for smooth integrands (tanh, sigmoid, GELU, SiLU, softplus, ELU
 * with α = 1) and std ≤ HERMITE_MAX_STD the 64-point rule is accurate to
 * ~1e-8 relative or better. Wider normals, and integrands with a kink, use
 * panels of Gauss–Legendre points instead (see `normalRule`). The tests check
 * both against high-precision integration.
 */

/** Nodes xᵢ and weights wᵢ (summing to 1) for expectations over N(0, 1). */
export interface NormalQuadratureRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

/** Points of the default rule (exact for polynomials up to degree 127). */
export const DEFAULT_QUADRATURE_POINTS = 64;

/** Newton iterations stop when a root moves less than this. */
const ROOT_TOLERANCE = 1e-14;
const MAX_NEWTON_STEPS = 100;
const PI_TO_MINUS_QUARTER = Math.PI ** -0.25;

const rules = new Map<number, NormalQuadratureRule>();

/** The n-point Gauss–Hermite rule for E[g(Z)], Z ~ N(0, 1) (cached per n). */
export function normalQuadratureRule(n: number = DEFAULT_QUADRATURE_POINTS): NormalQuadratureRule {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`normalQuadratureRule: n must be a positive integer, got ${n}`);
  let rule = rules.get(n);
  if (!rule) {
    rule = computeRule(n);
    rules.set(n, rule);
  }
  return rule;
}

/** pₙ(t) and pₙ₋₁(t) of the orthonormal Hermite recurrence. */
function hermitePair(n: number, t: number): [number, number] {
  let previous = 0;
  let current = PI_TO_MINUS_QUARTER;
  for (let k = 0; k < n; k++) {
    const next = t * Math.sqrt(2 / (k + 1)) * current - Math.sqrt(k / (k + 1)) * previous;
    previous = current;
    current = next;
  }
  return [current, previous];
}

/**
 * Starting point for the i-th largest root (i = 0, 1, …) from the ones already
 * found: the largest root of Hₙ is near √(2n+1) − 1.85575·(2n+1)^{−1/6}
 * (Airy-function asymptotics); later roots are extrapolated from the spacing.
 */
function initialGuess(i: number, n: number, roots: readonly number[]): number {
  if (i === 0) return Math.sqrt(2 * n + 1) - 1.85575 * (2 * n + 1) ** (-1 / 6);
  if (i === 1) return roots[0]! - (1.14 * n ** 0.426) / roots[0]!;
  if (i === 2) return 1.86 * roots[1]! - 0.86 * roots[0]!;
  if (i === 3) return 1.91 * roots[2]! - 0.91 * roots[1]!;
  return 2 * roots[i - 1]! - roots[i - 2]!;
}

function computeRule(n: number): NormalQuadratureRule {
  const half = Math.ceil(n / 2);
  const roots: number[] = [];
  const omegas: number[] = [];
  for (let i = 0; i < half; i++) {
    let t = initialGuess(i, n, roots);
    let derivative = 0;
    for (let step = 0; step < MAX_NEWTON_STEPS; step++) {
      const [p, pPrevious] = hermitePair(n, t);
      derivative = Math.sqrt(2 * n) * pPrevious;
      const move = p / derivative;
      t -= move;
      if (Math.abs(move) <= ROOT_TOLERANCE * Math.max(1, Math.abs(t))) break;
    }
    const [, pPrevious] = hermitePair(n, t);
    derivative = Math.sqrt(2 * n) * pPrevious;
    roots.push(t);
    omegas.push(2 / (derivative * derivative));
  }
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < half; i++) {
    // Roots come largest first; place ±tᵢ symmetrically (the middle root of odd n is 0).
    const x = Math.SQRT2 * roots[i]!;
    const w = omegas[i]! / Math.sqrt(Math.PI);
    nodes[i] = -x;
    weights[i] = w;
    nodes[n - 1 - i] = x;
    weights[n - 1 - i] = w;
  }
  return { nodes, weights };
}


/** Points of each Gauss–Legendre panel (exact for polynomials up to degree 15 per panel). */
export const PANEL_POINTS = 8;

/** Above this std (or for an integrand with a kink) the expectation uses panels instead of Gauss–Hermite. */
export const HERMITE_MAX_STD = 1;

/** Panels cover μ ± PANEL_SPAN_STDS·σ: the normal mass outside is 2·Φ(−9) ≈ 2e-19. */
const PANEL_SPAN_STDS = 9;
/** Panels are at most one standard deviation wide... */
const PANEL_WIDTH_STDS = 1;
/** ...and also split at 0, ±½, ±1, ±2, …, ±32, where activations bend (their features have scale ~1). */
const FEATURE_BREAKPOINTS = [0, 0.5, 1, 2, 4, 8, 16, 32].flatMap((x) => (x === 0 ? [0] : [-x, x]));

/**
 * The n-point Gauss–Legendre rule on [−1, 1]: nodes are the roots of the
 * Legendre polynomial Pₙ (three-term recurrence
 * (k+1)P_{k+1} = (2k+1)·t·P_k − k·P_{k−1}), found by Newton from
 * cos(π(i − ¼)/(n + ½)); weights 2/((1 − t²)·Pₙ′(t)²) with
 * Pₙ′ = n(t·Pₙ − P_{n−1})/(t² − 1).
 */
function legendreRule(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let t = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 1;
    for (let step = 0; step < MAX_NEWTON_STEPS; step++) {
      let previous = 1;
      let current = t;
      for (let k = 1; k < n; k++) {
        const next = ((2 * k + 1) * t * current - k * previous) / (k + 1);
        previous = current;
        current = next;
      }
      derivative = (n * (t * current - previous)) / (t * t - 1);
      const move = current / derivative;
      t -= move;
      if (Math.abs(move) <= ROOT_TOLERANCE) break;
    }
    const w = 2 / ((1 - t * t) * derivative * derivative);
    nodes[i] = -t;
    weights[i] = w;
    nodes[n - 1 - i] = t;
    weights[n - 1 - i] = w;
  }
  return { nodes, weights };
}

const PANEL_RULE = legendreRule(PANEL_POINTS);

/**
 * A rule for E[g(Z)], Z ~ N(μ, σ²), as points zᵢ (in z itself) and weights wᵢ.
 *
 * Gauss–Hermite resolves g only on the scale of its node spacing, about
 * σ·π/√(2n) near the mean: fine while σ is moderate, but tanh(Z)² with σ = 10
 * changes from 1 to 0 and back between two nodes (the 64-point rule is off by
 * 6%). So beyond HERMITE_MAX_STD, and for integrands with a kink at 0
 * (ReLU-like, SELU), the integral ∫ g(z)·φ((z − μ)/σ)/σ dz is summed over
 * panels of Gauss–Legendre points, split at μ + kσ (to follow the density)
 * and at 0, ±½, ±1, ±2, … ±32 (to follow the activation), over μ ± 9σ.
 */
export function normalRule(mean: number, std: number, kinked = false): NormalQuadratureRule {
  if (!(std > 0)) return { nodes: Float64Array.of(mean), weights: Float64Array.of(1) };
  if (!kinked && std <= HERMITE_MAX_STD) {
    const { nodes, weights } = normalQuadratureRule();
    return { nodes: nodes.map((x) => mean + std * x), weights };
  }
  return panelRule(mean, std);
}

function panelRule(mean: number, std: number): NormalQuadratureRule {
  const lo = mean - PANEL_SPAN_STDS * std;
  const hi = mean + PANEL_SPAN_STDS * std;
  const steps = Math.round((2 * PANEL_SPAN_STDS) / PANEL_WIDTH_STDS);
  const breaks = [...Array.from({ length: steps + 1 }, (_, k) => lo + (k * (hi - lo)) / steps), ...FEATURE_BREAKPOINTS.filter((x) => x > lo && x < hi)]
    .sort((a, b) => a - b)
    .filter((x, i, all) => i === 0 || x > all[i - 1]!);
  const panels = breaks.length - 1;
  const nodes = new Float64Array(panels * PANEL_POINTS);
  const weights = new Float64Array(panels * PANEL_POINTS);
  for (let p = 0; p < panels; p++) {
    const center = (breaks[p]! + breaks[p + 1]!) / 2;
    const halfWidth = (breaks[p + 1]! - breaks[p]!) / 2;
    for (let i = 0; i < PANEL_POINTS; i++) {
      const z = center + halfWidth * PANEL_RULE.nodes[i]!;
      const u = (z - mean) / std;
      nodes[p * PANEL_POINTS + i] = z;
      weights[p * PANEL_POINTS + i] = (halfWidth * PANEL_RULE.weights[i]! * Math.exp(-0.5 * u * u)) / (std * Math.sqrt(2 * Math.PI));
    }
  }
  return { nodes, weights };
}

/** Σᵢ wᵢ f(zᵢ). */
function applyRule(f: (z: number) => number, rule: NormalQuadratureRule): number {
  let sum = 0;
  for (let i = 0; i < rule.nodes.length; i++) sum += rule.weights[i]! * f(rule.nodes[i]!);
  return sum;
}

/** E[f(Z)] for Z ~ N(mean, variance). Pass `kinked` when f has a kink at 0. */
export function normalExpectation(f: (z: number) => number, mean: number, variance: number, kinked = false): number {
  return applyRule(f, normalRule(mean, Math.sqrt(Math.max(0, variance)), kinked));
}

/**
 * E[f(Z_a)·f(Z_b)] for (Z_a, Z_b) jointly normal with equal means μ and
 * variances σ² and correlation ρ: given Z_a = z, Z_b ~ N(μ + ρ(z − μ), σ²(1 − ρ²)),
 * so it is an outer rule over Z_a around an inner expectation over Z_b.
 */
export function bivariateNormalExpectation(f: (z: number) => number, mean: number, variance: number, correlation: number, kinked = false): number {
  const std = Math.sqrt(Math.max(0, variance));
  const rho = Math.min(1, Math.max(-1, correlation));
  const conditionalStd = std * Math.sqrt(1 - rho * rho);
  const outer = normalRule(mean, std, kinked);
  let sum = 0;
  for (let i = 0; i < outer.nodes.length; i++) {
    const z = outer.nodes[i]!;
    const inner = applyRule(f, normalRule(mean + rho * (z - mean), conditionalStd, kinked));
    sum += outer.weights[i]! * f(z) * inner;
  }
  return sum;
}
