/**
 * Statistics for the engine: one-pass summaries and histograms of tensor
 * values, distributions with exact CDFs, the Kolmogorov–Smirnov test, and the
 * special functions underneath (erf, Φ, Φ⁻¹, ln Γ, incomplete beta).
 */
export { definedStd, summarize, type Summary, type SummaryOptions, type HistogramResult } from './summary';
export { ChunkedMoments } from './chunked';
export { histogram, histogramRange, histogramEdges, binIndex, binEdge } from './histogram';
export { quantileOfSorted } from './percentiles';
export { histogramTheory } from './histogramTheory';
export { ksStatistic, ksPValue, ksCriticalValue, kolmogorovSurvival, kolmogorovCdf } from './ks';
export { sampleMoments, standardErrorOfMean, standardErrorOfStd, type SampleMoments } from './moments';
export {
  cdfLeft,
  discreteDistribution,
  pointMass,
  uniformDistribution,
  normalDistribution,
  truncatedNormalDistribution,
  sphereCoordinateDistribution,
  zeroInflatedDistribution,
  type Atom,
  type Distribution,
} from './distribution';
export { standardNormalPdf, standardNormalCdf, standardNormalSurvival, standardNormalQuantile, normalPdf, normalCdf } from './normal';
export { erf, erfc, lnGamma, regularizedIncompleteBeta } from './special';
