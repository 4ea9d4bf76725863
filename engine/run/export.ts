/**
 * A run as CSV (one row per step and tensor), as one JSON document, and as a
 * self-contained HTML report (no scripts: tables and inline SVG).
 */
import { lossSeries, type RunData } from './format';
import type { LayerStep, LossPoint } from './types';

const LAYER_COLUMNS: { name: string; value: (l: LayerStep) => number | null | undefined }[] = [
  { name: 'grad_norm', value: (l) => l.gradNorm },
  { name: 'weight_norm', value: (l) => l.weightNorm },
  { name: 'm_norm', value: (l) => l.mNorm },
  { name: 'm_hat_norm', value: (l) => l.mHatNorm },
  { name: 'sqrt_v_hat_mean', value: (l) => l.sqrtVHat?.mean },
  { name: 'sqrt_v_hat_std', value: (l) => l.sqrtVHat?.std },
  { name: 'sqrt_v_hat_min', value: (l) => l.sqrtVHat?.min },
  { name: 'sqrt_v_hat_max', value: (l) => l.sqrtVHat?.max },
  { name: 'step_size_mean', value: (l) => l.stepSize?.mean },
  { name: 'step_size_min', value: (l) => l.stepSize?.min },
  { name: 'step_size_max', value: (l) => l.stepSize?.max },
  { name: 'adam_update_norm', value: (l) => l.stepNorm },
  { name: 'decay_update_norm', value: (l) => l.decayNorm },
  { name: 'decay_share', value: (l) => l.decayShare },
  { name: 'update_norm', value: (l) => l.updateNorm },
  { name: 'update_to_weight', value: (l) => l.updateToWeight },
  { name: 'effective_decay', value: (l) => l.effectiveDecay },
];

/**
 * Long format: one row per (step, tensor), step scalars repeated; empty cells for absent values. A step whose
 * full record the run did not keep (format version 2) is one row with its loss alone.
 */
export function runToCsv(run: RunData): string {
  const header = ['step', 'epoch', 'loss', 'val_loss', 'total_grad_norm', 'lr', 'bias_correction1', 'bias_correction2', 'tensor', ...LAYER_COLUMNS.map((c) => c.name)];
  const rows = [header.join(',')];
  let k = 0;
  const lossRowsBefore = (step: number): void => {
    for (; k < run.losses.length && run.losses[k]!.step < step; k++) {
      const l = run.losses[k]!;
      rows.push([cell(l.step), '', cell(l.loss), cell(l.valLoss), '', '', '', '', '', ...LAYER_COLUMNS.map(() => '')].join(','));
    }
  };
  for (const s of run.steps) {
    lossRowsBefore(s.step);
    if (run.losses[k]?.step === s.step) k++; // a step with both: its full record is the row
    const head = [s.step, s.epoch, s.loss, s.valLoss, s.gradNorm, s.lr, s.biasCorrection1, s.biasCorrection2].map(cell);
    const names = Object.keys(s.layers);
    if (names.length === 0) rows.push([...head, '', ...LAYER_COLUMNS.map(() => '')].join(','));
    for (const name of names) rows.push([...head, csvText(name), ...LAYER_COLUMNS.map((c) => cell(c.value(s.layers[name]!)))].join(','));
  }
  lossRowsBefore(Infinity);
  return `${rows.join('\n')}\n`;
}

export function runToJson(run: RunData): string {
  return JSON.stringify({ meta: run.meta, steps: run.steps, snapshots: run.snapshots, losses: run.losses }, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? String(v) : v, 1);
}

/**
 * A report that opens in any browser: the run's settings, a loss chart, the per-layer numbers at the last step.
 *
 * Runs come from shared folders and other tools, and the reader checks only a
 * few of run.json's types: every value taken from the run goes through `esc`
 * (numbers too, since a hostile file may hold markup where a number belongs).
 */
export function runToHtml(run: RunData): string {
  const m = run.meta;
  const opt = m.optimizer ?? ({} as Partial<RunData['meta']['optimizer']>);
  const noDecay = Array.isArray(opt.noDecay) ? opt.noDecay.map(text).join(', ') : text(opt.noDecay);
  const last = run.steps.at(-1);
  const layerRows = last ? Object.entries(last.layers).map(([name, l]) =>
    `<tr><th scope="row"><code>${esc(name)}</code></th>${LAYER_COLUMNS.map((c) => `<td>${fmt(c.value(l))}</td>`).join('')}</tr>`).join('\n') : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(m.name)}: training report</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1200px}table{border-collapse:collapse}th,td{padding:2px 8px;border-bottom:1px solid #ccc;text-align:right}th[scope=row],thead th:first-child{text-align:left}svg{border:1px solid #ddd}.wide{overflow-x:auto}</style>
</head><body>
<h1>${esc(m.name)}</h1>
<p>${esc(m.model?.name)} · ${esc(opt.type)} lr=${esc(opt.lr)} ${esc(JSON.stringify(opt.args))}${noDecay ? ` · no decay: ${esc(noDecay)}` : ''} · batch ${esc(m.batchSize)} · seed ${esc(m.seed)} · ${esc(m.dataset)}</p>
<p>Status: ${esc(m.status)}${m.reason ? ` (${esc(m.reason)})` : ''} · ${Math.max(run.steps.at(-1)?.step ?? 0, run.losses.at(-1)?.step ?? 0)} of ${esc(m.plannedSteps)} steps · created ${esc(m.createdAt)} by ${esc(m.producer)}</p>
<h2>Loss</h2>
${lossSvg(lossSeries(run.steps, run.losses))}
<h2>Per tensor at step ${esc(last?.step ?? '—')}</h2>
<div class="wide"><table><thead><tr><th>tensor</th>${LAYER_COLUMNS.map((c) => `<th>${c.name}</th>`).join('')}</tr></thead>
<tbody>
${layerRows}
</tbody></table></div>
</body></html>
`;
}

function lossSvg(steps: LossPoint[]): string {
  const w = 720;
  const hgt = 240;
  const pts = steps.filter((s) => Number.isFinite(s.loss));
  if (pts.length === 0) return '<p>No finite loss.</p>';
  // A loop, not Math.min(...values): a long run has more losses than a call has room for arguments.
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of pts) {
    lo = Math.min(lo, p.loss);
    hi = Math.max(hi, p.loss);
  }
  const n = steps.at(-1)!.step;
  const x = (t: number): number => 40 + ((t - 1) / Math.max(1, n - 1)) * (w - 50);
  const y = (v: number): number => 10 + (hi > lo ? (1 - (v - lo) / (hi - lo)) : 0.5) * (hgt - 30);
  const stride = Math.max(1, Math.ceil(pts.length / 1000));
  const d = pts.filter((_, i) => i % stride === 0).map((s, i) => `${i ? 'L' : 'M'}${x(s.step).toFixed(1)},${y(s.loss).toFixed(1)}`).join('');
  return `<svg width="${w}" height="${hgt}" role="img" aria-label="Training loss per step"><path d="${d}" fill="none" stroke="#1f77b4"/>`
    + `<text x="2" y="18" font-size="10">${fmt(hi)}</text><text x="2" y="${hgt - 20}" font-size="10">${fmt(lo)}</text><text x="${w - 4}" y="${hgt - 4}" font-size="10" text-anchor="end">step ${n}</text></svg>`;
}

function cell(v: number | null | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

function csvText(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function fmt(v: unknown): string {
  // NaN stays NaN: a diverged run's last step holds real NaNs. (A one-element tensor's undefined std is null.)
  if (v === null || v === undefined) return '—';
  return typeof v === 'number' ? (Number.isFinite(v) ? v.toPrecision(4) : String(v)) : esc(v);
}

/** A run value as text: strings as they are, anything else as JSON (a list or an object where text belongs). */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v) ?? String(v);
}

function esc(v: unknown): string {
  return text(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
