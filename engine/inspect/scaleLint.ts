/**
 * The initialization-scale lint: an initialization whose scale makes the
 * signal vanish or explode through depth, predicted from the initializers'
 * theory alone (engine/inspect/signalTheory: moments propagated layer by
 * layer for unit-variance inputs, no sampling), so that it is cheap enough to
 * run on every edit.
 *
 * The source article's two examples are the classic cases: normal(0, 1)
 * weights multiply the activation variance by about fan_in per layer (Errata
 * #3), and normal(0, 0.01) multiplies it by about fan_in·10⁻⁴, which is tiny
 * for any fan_in below 10⁴.
 */
import { isChainModel } from '../model/spec';
import type { Lint, LintDiagnostic } from '../model/lints';
import { entryAt, nodeAt } from '../model/located';
import { predictSignal } from './signalTheory';
import { signalVerdict } from './signalVerdict';

/** Which initializer to suggest for the model's nonlinearity, with its reason. */
function suggestion(kinds: Set<string>): string {
  if (kinds.has('ReLU') || kinds.has('LeakyReLU')) return "kaiming_normal_(nonlinearity='relu') (std √(2/fan_in)) keeps the std of ReLU layers near 1 (He et al., 2015)";
  if (kinds.has('Tanh') || kinds.has('Sigmoid')) return 'xavier_normal_ (std √(2/(fan_in+fan_out))) keeps tanh and sigmoid layers near unit variance (Glorot & Bengio, 2010)';
  return 'an initializer with variance ∝ 1/fan_in (lecun_normal_, kaiming_normal_, xavier_normal_) keeps the std near 1';
}

export const initScaleLint: Lint = ({ spec, tree }) => {
  if (!isChainModel(spec)) return [];
  const linears = spec.layers.filter((l) => l.type === 'Linear').length;
  if (linears < 2) return [];
  const prediction = predictSignal(spec);
  const verdict = signalVerdict(prediction.input.std, prediction.input.signalStd, prediction.layers);
  const codes: Partial<Record<typeof verdict.kind, string>> = { vanishing: 'signal-vanishes', 'signal-lost': 'signal-vanishes', exploding: 'signal-explodes', 'non-finite': 'signal-explodes' };
  const code = codes[verdict.kind];
  if (!code) return [];
  // Point at what chose the scale: the init patterns, else the first layer with its own init, else the layer list.
  const ownInit = spec.layers.findIndex((l) => l.type === 'Linear' && l.init?.weight);
  const node = nodeAt(tree, ['init']) ?? (ownInit >= 0 ? nodeAt(tree, ['layers', ownInit, 'init']) : undefined);
  const range = node?.range ?? entryAt(tree, ['layers'])?.keyRange;
  if (!range) return [];
  const diagnostic: LintDiagnostic = {
    severity: 'warning',
    code,
    message: `Signal through depth at initialization — ${verdict.text}. Predicted from the initializers for unit-variance inputs; gradients scale alike on the way back. `
      + `${suggestion(new Set(spec.layers.map((l) => l.type)))}. The inspector's Signal tab measures it on your data.`,
    range,
    fixes: [],
  };
  return [diagnostic];
};
