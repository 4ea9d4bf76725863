// The training panel's layer table, read from the webview DOM and compared with
// a run record (from the engine or from a run file): shared by the E2E tests
// of training and of opened runs.

/** The layer table at the panel's current step: { step, layers: { name: { key: value } } }. */
export async function readLayerTable(frame) {
  return frame.locator('#layer-table').evaluate((table) => ({
    step: Number(table.getAttribute('data-step')),
    layers: Object.fromEntries([...table.querySelectorAll('tbody tr[data-layer]')].map((tr) => [tr.getAttribute('data-layer'),
      Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.getAttribute('data-key'), td.getAttribute('data-value') === '' ? null : Number(td.getAttribute('data-value'))]))])),
  }));
}

/** Each column of the table (its data-key) and where a step record keeps that number. */
export const LAYER_TABLE_KEYS = {
  gradNorm: (l) => l.gradNorm, weightNorm: (l) => l.weightNorm, mNorm: (l) => l.mNorm, mHatNorm: (l) => l.mHatNorm,
  sqrtVHatMean: (l) => l.sqrtVHat?.mean, stepSizeMean: (l) => l.stepSize?.mean, stepNorm: (l) => l.stepNorm, decayNorm: (l) => l.decayNorm,
  decayShare: (l) => l.decayShare, updateToWeight: (l) => l.updateToWeight, effectiveDecay: (l) => l.effectiveDecay,
};

/**
 * Checks every number of `shown` against the step `record`: exactly (the same
 * parsed doubles) when `relative` is 0, else within that relative error.
 * `source` names where the record came from, for the message. Returns how
 * many numbers were compared.
 */
export function compareLayerTable(shown, record, { relative = 0, source = 'record' } = {}) {
  let compared = 0;
  for (const [name, layer] of Object.entries(record.layers)) {
    for (const [key, pick] of Object.entries(LAYER_TABLE_KEYS)) {
      const want = pick(layer) ?? null;
      const got = shown.layers[name]?.[key] ?? null;
      const ok = relative === 0 || want === null ? got === want : Math.abs(got - want) <= relative * Math.abs(want) + 1e-300;
      if (!ok) throw new Error(`${name} ${key} at step ${record.step}: panel ${got}, ${source} ${want}`);
      compared++;
    }
  }
  return compared;
}
