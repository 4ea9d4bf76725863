/**
 * The Signal tab's transformer sections: the residual stream's std after each
 * block (against the embeddings' std it starts from), and the attention
 * entropy per head at initialization against the uniform maximum
 * (engine/inspect/signalDepth.ts defines both).
 */
import type { AttentionEntropyReport, ResidualStreamReport } from '../../engine/inspect/signalDepth';
import { depthChart } from '../charts/depthChart';
import { h } from '../dom';
import { formatNumber } from '../format';
import type { ChartExporter } from './chartExport';
import { dataTable, numbersDisclosure, type Column } from './table';

type BlockRow = ResidualStreamReport['blocks'][number];

const RESIDUAL_COLUMNS: Column<BlockRow>[] = [
  { header: 'after block', value: (b) => b.path, key: 'path' },
  { header: 'stream std', value: (b) => b.std, key: 'std' },
  { header: 'std / input std', value: (b) => b.ratioToInput, key: 'ratioToInput' },
];

export function residualSection(r: ResidualStreamReport, modelName: string, exportChart: ChartExporter): HTMLElement {
  const chart = depthChart({
    // Short labels (`block 3`): the chart's slanted labels cut long paths.
    categories: ['input', ...r.blocks.map((b) => `block ${b.path.slice(r.container.length + 1)}`)],
    series: [{ label: 'stream std', color: 0, points: [{ value: r.inputStd }, ...r.blocks.map((b) => ({ value: b.std }))] }],
    width: 520, height: 220, scale: 'log', yLabel: 'stream std',
    reference: { value: r.inputStd, label: `input std ${formatNumber(r.inputStd)}` },
    label: `Residual stream std after each block of ${r.container}, ${modelName}`,
  });
  const last = r.blocks.at(-1)!;
  return h('section', { class: 'residual', id: 'signal-residual', 'data-blocks': r.blocks.length },
    h('h3', {}, 'Residual stream'),
    h('p', { class: 'explain' }, `The stream x that the ${r.blocks.length} blocks of `, h('code', {}, r.container), ` add to: its std after each block, over all values. After the last block it is ${formatNumber(last.ratioToInput)}× the input's. Each block adds its attention and MLP outputs, so with similar-sized additions the variance grows about linearly with depth; GPT-2 scales the blocks' output projections by 1/√(2·n_layer) to keep the growth small.`),
    h('figure', {}, h('figcaption', {}, 'Residual stream std after each block (log scale)'), chart, exportChart(chart, `${modelName}-residual-stream`)),
    numbersDisclosure(dataTable(`Residual stream of ${modelName}`, RESIDUAL_COLUMNS, r.blocks, 'numbers residual-table')));
}

interface HeadRow {
  path: string;
  head: number;
  entropy: number;
  maxEntropy: number;
}

const ENTROPY_COLUMNS: Column<HeadRow>[] = [
  { header: 'attention', value: (r) => r.path, key: 'path' },
  { header: 'head', value: (r) => r.head, key: 'head' },
  { header: 'entropy (nats)', value: (r) => r.entropy, key: 'entropy' },
  { header: 'uniform maximum', value: (r) => r.maxEntropy, key: 'maxEntropy' },
  { header: 'entropy / maximum', value: (r) => (r.maxEntropy > 0 ? r.entropy / r.maxEntropy : null), key: 'share' },
];

export function attentionSection(reports: readonly AttentionEntropyReport[], modelName: string, exportChart: ChartExporter): HTMLElement {
  const heads = Math.max(...reports.map((r) => r.heads.length));
  // The rows' uniform maximum (the same for every attention over the same sequence).
  const maximum = reports[0]!.heads[0]?.maxEntropy ?? NaN;
  const chart = depthChart({
    categories: shortPaths(reports.map((r) => r.path)),
    // Past six heads the theme's colours repeat, dashed.
    series: Array.from({ length: heads }, (_, i) => ({ label: `head ${i}`, color: i % 6, dashed: i >= 6, points: reports.map((r) => ({ value: r.heads[i]?.entropy ?? null })) })),
    width: 520, height: 220, scale: 'linear', yLabel: 'entropy (nats)',
    reference: { value: maximum, label: `uniform maximum ${formatNumber(maximum)}` },
    label: `Attention entropy per head of ${modelName}, against the uniform maximum`,
  });
  const rows = reports.flatMap((r) => r.heads.map((x, head) => ({ path: r.path, head, entropy: x.entropy, maxEntropy: x.maxEntropy })));
  const first = reports[0]!;
  return h('section', { class: 'attention-entropy', id: 'signal-attention', 'data-attentions': reports.length, 'data-heads': heads },
    h('h3', {}, 'Attention entropy per head'),
    h('p', { class: 'explain' }, `For each query row, −Σ p·ln p of its attention weights in nats, averaged over the rows of ${first.examples} example${first.examples === 1 ? '' : 's'} (${first.queries} queries × ${first.keys} keys). The uniform maximum is ln of the keys a row may attend (ln(i + 1) for causal row i). At initialization a head near the maximum attends almost uniformly; one well below it is already peaked (large query or key weights).`),
    h('figure', {}, h('figcaption', {}, 'Attention entropy per head (nats)'), chart, exportChart(chart, `${modelName}-attention-entropy`)),
    numbersDisclosure(dataTable(`Attention entropy per head of ${modelName}`, ENTROPY_COLUMNS, rows, 'numbers attention-table')));
}

/** Paths without the dotted prefix they all share (`transformer.blocks.0.attn` → `0.attn`), for chart labels. */
export function shortPaths(paths: readonly string[]): string[] {
  const parts = paths.map((p) => p.split('.'));
  let common = 0;
  while (parts.length > 1 && parts.every((p) => p.length > common + 1 && p[common] === parts[0]![common])) common++;
  return parts.map((p) => p.slice(common).join('.'));
}
