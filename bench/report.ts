/**
 * The suite's outputs: the console table with ratios, the goals of the
 * performance issue checked against the same run, and the Markdown row set
 * appended to BENCHMARKS.md.
 *
 * Ratios are speed ratios, ours ÷ peer, for every unit: throughputs are
 * divided as they are (steps/s, GFLOP/s), times inverted (peer ms ÷ our ms),
 * so a ratio above 1 always means our engine is faster.
 */
import { ceilingCaption, ceilingCells } from './ceiling';
import type { MachineFacts } from './machine';
import { MODEL_INSPECTION_GOALS, MODEL_INSPECTION_METRICS } from './workerInspect';
import { CHECKPOINT_GOALS, CHECKPOINT_METRICS, CHECKPOINT_WORKLOAD } from './checkpointSummary';
import { higherIsBetter, WORKLOADS, type ResultRow, type Unit } from './workloads';

export const OURS = 'ours';
export const PEERS = ['tfjs-wasm', 'tfjs-cpu', 'pytorch'] as const;

/** The first row of a workload and implementation (whose metric starts with `metric`, if given). */
export function valueOf(rows: readonly ResultRow[], workload: string, impl: string, metric?: string): number | undefined {
  return rows.find((r) => r.workload === workload && r.impl === impl && (metric === undefined || r.metric.startsWith(metric)))?.value;
}

/** Our speed ÷ the peer's speed (> 1: we are faster); undefined when either is missing. */
export function speedRatio(unit: Unit, ours: number | undefined, peer: number | undefined): number | undefined {
  if (ours === undefined || peer === undefined || ours <= 0 || peer <= 0) return undefined;
  return higherIsBetter(unit) ? ours / peer : peer / ours;
}

export interface Goal {
  text: string;
  /** The measured value the goal is about (a ratio, or a time in ms). */
  measured: number | undefined;
  target: number;
  /** 'atLeast': measured ≥ target; 'below': measured < target. */
  kind: 'atLeast' | 'below';
  unit: '×' | 'ms' | 'MB';
}

/** The goals of the performance issue, evaluated on one run's rows. */
export function goals(rows: readonly ResultRow[]): Goal[] {
  const ratio = (workload: string, peer: string) => speedRatio('steps/s', valueOf(rows, workload, OURS), valueOf(rows, workload, peer));
  const gemmRatio = speedRatio('GFLOP/s', valueOf(rows, 'gemm1024-nn', OURS), valueOf(rows, 'gemm1024-nn', 'tfjs-wasm'));
  // Tracing on ÷ off on the training run the panel does (sampling batches, records, snapshots), the two
  // interleaved, by wall clock (training speed as the user sees it); without it (a subset of workloads),
  // the fixed-batch micro-benchmark's paired ratio.
  const tracedRatio = rows.find((r) => r.workload === 'train-article-traced' && r.metric.startsWith('traced ÷ off (wall'))?.value
    ?? valueOf(rows, 'article-traced-ratio', OURS);
  return [
    { text: 'MLP 784-256-256-10 vs tfjs-wasm', measured: ratio('mlp784', 'tfjs-wasm'), target: 5, kind: 'atLeast', unit: '×' },
    { text: 'MLP 784-256-256-10 vs PyTorch', measured: ratio('mlp784', 'pytorch'), target: 3, kind: 'atLeast', unit: '×' },
    { text: 'MLP 784-256-256-10 vs tfjs-cpu', measured: ratio('mlp784', 'tfjs-cpu'), target: 15, kind: 'atLeast', unit: '×' },
    { text: "article's model vs PyTorch", measured: ratio('article', 'pytorch'), target: 5, kind: 'atLeast', unit: '×' },
    { text: "PyTorch's MNIST CNN training vs PyTorch", measured: ratio('mnist-cnn', 'pytorch'), target: 1.5, kind: 'atLeast', unit: '×' },
    { text: "PyTorch's MNIST CNN training vs tfjs-wasm", measured: ratio('mnist-cnn', 'tfjs-wasm'), target: 5, kind: 'atLeast', unit: '×' },
    { text: 'char nanoGPT training vs PyTorch', measured: ratio('char-gpt', 'pytorch'), target: 1.5, kind: 'atLeast', unit: '×' },
    { text: 'char nanoGPT training vs tfjs-wasm', measured: ratio('char-gpt', 'tfjs-wasm'), target: 5, kind: 'atLeast', unit: '×' },
    {
      text: "article's model, tracing on ÷ off",
      measured: tracedRatio,
      target: 0.8,
      kind: 'atLeast',
      unit: '×',
    },
    { text: 'GEMM 1024³ (1 thread) vs tfjs-wasm', measured: gemmRatio, target: 1, kind: 'atLeast', unit: '×' },
    {
      text: 'GEMM 1024³, 2 threads ÷ 1 thread',
      measured: speedRatio('GFLOP/s', valueOf(rows, 'gemm1024-nn-2t', OURS), valueOf(rows, 'gemm1024-nn-1t-wall', OURS)),
      target: 1.8,
      kind: 'atLeast',
      unit: '×',
    },
    { text: 'init + statistics of 10M parameters', measured: valueOf(rows, 'init10m', OURS), target: 2000, kind: 'below', unit: 'ms' },
    { text: '256-bin histogram of 10M floats', measured: valueOf(rows, 'hist10m', OURS), target: 50, kind: 'below', unit: 'ms' },
    { text: "10M normals from torch's generator vs PyTorch", measured: speedRatio('ms', valueOf(rows, 'randn10m', OURS), valueOf(rows, 'randn10m', 'pytorch')), target: 1, kind: 'atLeast', unit: '×' },
    ...modelInspectionGoals(rows, 'init-gpt2-small', 'GPT-2 small'),
    ...modelInspectionGoals(rows, 'init-resnet50', 'ResNet-50'),
    { text: "checkpoint: GPT-2 small's 498 MB safetensors, every tensor summarized via the worker", measured: valueOf(rows, CHECKPOINT_WORKLOAD, OURS, CHECKPOINT_METRICS.wall), target: CHECKPOINT_GOALS.wallMs, kind: 'below', unit: 'ms' },
    { text: "checkpoint: GPT-2 small's safetensors, worker's peak memory above idle", measured: valueOf(rows, CHECKPOINT_WORKLOAD, OURS, CHECKPOINT_METRICS.memory), target: CHECKPOINT_GOALS.extraMB, kind: 'below', unit: 'MB' },
  ];
}

/** An initialization inspection through the engine worker: its time, the worker's memory, the main thread's stalls. */
function modelInspectionGoals(rows: readonly ResultRow[], workload: string, model: string): Goal[] {
  const value = (metric: string) => valueOf(rows, workload, OURS, metric);
  const g = MODEL_INSPECTION_GOALS;
  return [
    { text: `${model} inspection via the worker, wall time`, measured: value(MODEL_INSPECTION_METRICS.wall), target: g.wallMs, kind: 'below', unit: 'ms' },
    { text: `${model} inspection, worker's peak memory above idle`, measured: value(MODEL_INSPECTION_METRICS.memory), target: g.extraMB, kind: 'below', unit: 'MB' },
    { text: `${model} inspection, longest main-thread stall`, measured: value(MODEL_INSPECTION_METRICS.stall), target: g.stallMs, kind: 'below', unit: 'ms' },
  ];
}

export function goalMet(goal: Goal): boolean | undefined {
  if (goal.measured === undefined) return undefined;
  return goal.kind === 'atLeast' ? goal.measured >= goal.target : goal.measured < goal.target;
}

function formatGoal(goal: Goal): [string, string, string, string] {
  const met = goalMet(goal);
  const target = `${goal.kind === 'atLeast' ? '≥' : '<'} ${goal.target}${goal.unit === '×' ? '×' : ` ${goal.unit}`}`;
  const measured = goal.measured === undefined ? '—' : goal.unit === '×' ? `${goal.measured.toFixed(2)}×` : `${formatNumber(goal.measured)} ${goal.unit}`;
  return [goal.text, target, measured, met === undefined ? 'not measured' : met ? 'met' : 'not met'];
}

/** A number with 3 significant digits (thousands separated), enough for timings on a shared machine. */
export function formatNumber(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(3)).toString();
}

function formatRatio(r: number | undefined): string {
  return r === undefined ? '—' : `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/** Header and body cells of the results table: one line per workload that has a result. */
export function tableCells(rows: readonly ResultRow[]): string[][] {
  const impls = [OURS, ...PEERS];
  const header = ['workload', 'unit', ...impls, ...PEERS.map((p) => `ours÷${p}`)];
  const body: string[][] = [];
  for (const w of WORKLOADS) {
    if (!rows.some((r) => r.workload === w.id)) continue;
    const ours = valueOf(rows, w.id, OURS, w.metric);
    body.push([
      w.title,
      w.unit,
      ...impls.map((impl) => formatNumber(valueOf(rows, w.id, impl, w.metric))),
      ...PEERS.map((peer) => formatRatio(speedRatio(w.unit, ours, valueOf(rows, w.id, peer, w.metric)))),
    ]);
  }
  return [header, ...body];
}

/** Fixed-width text table for the terminal. */
export function textTable(cells: readonly string[][]): string {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => [...row[c]!].length)));
  const line = (row: readonly string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function markdownTable(cells: readonly string[][]): string {
  const line = (row: readonly string[]) => `| ${row.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  const rule = `|${cells[0]!.map((_, c) => (c === 0 ? '---' : '---:')).join('|')}|`;
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

/** The ceiling table and its caption, rendered by `table`; nothing without training workloads. */
export function ceilingSection(rows: readonly ResultRow[], table: (cells: readonly string[][]) => string): string[] {
  const cells = ceilingCells(rows);
  return cells ? [ceilingCaption(rows), '', table(cells), ''] : [];
}

/** The goals table; in a run of the worker's workloads alone (`--only init-gpt2-small`), only their goals. */
export function goalsText(rows: readonly ResultRow[]): string {
  return textTable([['goal', 'target', 'measured', ''], ...shownGoals(rows).map(formatGoal)]);
}

function shownGoals(rows: readonly ResultRow[]): Goal[] {
  const all = goals(rows);
  const onlyWorkerWorkloads = rows.length > 0 && rows.every(isWorkerRow);
  return onlyWorkerWorkloads ? all.filter((g) => g.measured !== undefined) : all;
}

function isWorkerRow(row: ResultRow): boolean {
  return WORKLOADS.some((w) => w.id === row.workload && w.via === 'worker');
}

export interface RunInfo {
  mode: string;
  machine: MachineFacts;
  /** Versions of the peers and any skipped implementation, one line each. */
  notes: string[];
}

/** The dated row set appended to BENCHMARKS.md. */
export function markdownSection(rows: readonly ResultRow[], info: RunInfo): string {
  const m = info.machine;
  const facts = [
    `${m.cpu}, ${m.cores} cores (${m.cpuFeatures.join(', ') || 'no vector flags read'}), ${m.memoryGiB} GiB`,
    `${m.os}; Node ${m.node} (V8 ${m.v8}); load average ${m.loadAverage} at start`,
    ...info.notes,
  ];
  return [
    `## ${m.date.slice(0, 16).replace('T', ' ')} UTC — ${info.mode} run`,
    '',
    ...facts.map((f) => `- ${f}`),
    '',
    markdownTable(tableCells(rows)),
    '',
    markdownTable([['goal', 'target', 'measured', ''], ...shownGoals(rows).map(formatGoal)]),
    '',
    ...ceilingSection(rows, markdownTable),
  ].join('\n');
}

export const BENCHMARKS_HEADER = `# Benchmarks

Appended by \`npm run bench\` (one row set per run; \`--quick\` runs are marked). Each run measures our
engine and its peers on the same workloads in the same run, one implementation at a time in its own
process, float32, AdamW lr 1e-3, weight decay 1e-2, one thread each. Values are medians over a time budget
per workload, timed by the CPU time of the process (equal to wall time for one thread on an idle machine);
ratios are speed ratios, ours ÷ peer (> 1: ours is faster; for times, peer ms ÷ our ms). The raw rows of
the latest run are in \`bench/results.json\`. Numbers from a shared machine (load average above the core
count) are noisy; compare ratios within a run, not across runs.

`;
