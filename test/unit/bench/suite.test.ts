/**
 * Smoke test of the benchmark suite: every workload of every implementation
 * runs once on tiny sizes (SMOKE_SIZES), and the rows have the schema of
 * bench/results.json. No timing is asserted (speed is shown by `npm run
 * bench`, not by tests); the report's arithmetic is checked on fixed rows.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { goalMet, goals, markdownSection, speedRatio, tableCells, textTable } from '../../../bench/report';
import { runSuite, type Impl } from '../../../bench/suite';
import { SMOKE_BUDGET } from '../../../bench/timing';
import { ADAMW, SMOKE_SIZES, WORKLOADS, type ResultRow } from '../../../bench/workloads';
import { machineFacts } from '../../../bench/machine';

const root = path.resolve(__dirname, '../../..');
/** Workloads only our engine runs (tracing, heap), and those needing `node --expose-gc`. */
const OURS_ONLY = ['article-traced', 'article-traced-ratio', 'article-alloc', 'article-heap', 'gemm1024-nn-1t-wall', 'gemm1024-nn-2t'];
const NEEDS_GC = ['article-alloc', 'article-heap'];

async function smoke(impls: Impl[]) {
  const log: string[] = [];
  const result = await runSuite({
    config: { sizes: SMOKE_SIZES, budget: SMOKE_BUDGET, adamw: ADAMW, only: null },
    impls,
    root,
    inProcess: true,
    timeoutMs: 30_000,
    log: (line) => log.push(line),
  });
  return { ...result, log };
}

function expectSchema(rows: readonly ResultRow[]): void {
  for (const row of rows) {
    expect(Object.keys(row).sort()).toEqual(['impl', 'metric', 'unit', 'value', 'workload']);
    const w = WORKLOADS.find((x) => x.id === row.workload);
    expect(w, row.workload).toBeDefined();
    expect(row.unit).toBe(w!.unit);
    expect(Number.isFinite(row.value) && row.value >= 0, `${row.impl} ${row.workload} = ${row.value}`).toBe(true);
  }
}

describe('benchmark suite (smoke: one run of each workload, tiny sizes)', () => {
  it('runs every workload of our engine and of both tfjs backends, with well-formed rows', async () => {
    const { rows, notes } = await smoke(['ours', 'tfjs-cpu', 'tfjs-wasm']);
    expect(notes).toEqual([]);
    expectSchema(rows);
    const gc = typeof (globalThis as { gc?: unknown }).gc === 'function';
    for (const impl of ['ours', 'tfjs-cpu', 'tfjs-wasm']) {
      const expected = WORKLOADS.map((w) => w.id).filter((id) => (impl === 'ours' ? gc || !NEEDS_GC.includes(id) : !OURS_ONLY.includes(id)));
      expect(rows.filter((r) => r.impl === impl).map((r) => r.workload).sort(), impl).toEqual(expected.sort());
    }
    const table = textTable(tableCells(rows));
    expect(table).toContain('ours÷tfjs-wasm');
    expect(table.split('\n')).toHaveLength(2 + new Set(rows.map((r) => r.workload)).size);
  });

  it('runs the PyTorch script when python3-torch is installed, and otherwise says it skipped it', async () => {
    const { rows, notes } = await smoke(['pytorch']);
    if (rows.length === 0) {
      expect(notes.join('\n')).toMatch(/PyTorch: skipped/);
      return;
    }
    expectSchema(rows);
    expect(notes.join('\n')).toMatch(/^PyTorch \d/m);
    expect(rows.map((r) => r.workload).sort()).toEqual(WORKLOADS.map((w) => w.id).filter((id) => !OURS_ONLY.includes(id)).sort());
  });
});

describe('benchmark report', () => {
  const row = (workload: string, impl: string, value: number, unit: string): ResultRow => ({ workload, impl, metric: 'median', value, unit });

  it('divides speeds as ours ÷ peer, inverting times so that > 1 means faster', () => {
    expect(speedRatio('steps/s', 30, 10)).toBe(3);
    expect(speedRatio('ms', 10, 40)).toBe(4);
    expect(speedRatio('GFLOP/s', 5, undefined)).toBeUndefined();
  });

  it('evaluates the goals on one run', () => {
    const rows = [
      row('mlp784', 'ours', 60, 'steps/s'),
      row('mlp784', 'tfjs-wasm', 12, 'steps/s'),
      row('article', 'ours', 1000, 'steps/s'),
      row('article-traced', 'ours', 700, 'steps/s'),
      row('article-traced-ratio', 'ours', 0.7, 'ratio'),
      row('init10m', 'ours', 2500, 'ms'),
      row('hist10m', 'ours', 20, 'ms'),
    ];
    const byText = Object.fromEntries(goals(rows).map((g) => [g.text, g]));
    expect(goalMet(byText['MLP 784-256-256-10 vs tfjs-wasm']!)).toBe(true); // 5× exactly
    expect(goalMet(byText["article's model, tracing on ÷ off"]!)).toBe(false); // 0.7
    expect(goalMet(byText['init + statistics of 10M parameters']!)).toBe(false);
    expect(goalMet(byText['256-bin histogram of 10M floats']!)).toBe(true);
    expect(goalMet(byText['MLP 784-256-256-10 vs PyTorch']!)).toBeUndefined();
    // With the training run's interleaved measurement in the rows, the goal uses it.
    const withRun = [...rows, { workload: 'train-article-traced', impl: 'ours', metric: 'traced ÷ off (wall clock, median of interleaved chunks)', value: 0.85, unit: 'ratio' }];
    const tracing = goals(withRun).find((g) => g.text === "article's model, tracing on ÷ off")!;
    expect(tracing.measured).toBe(0.85);
    expect(goalMet(tracing)).toBe(true);
  });

  it('writes a dated Markdown row set with the machine facts and both tables', () => {
    const machine = machineFacts();
    const text = markdownSection([row('article', 'ours', 1234.5, 'steps/s'), row('article', 'pytorch', 617.25, 'steps/s')], {
      mode: 'quick',
      machine,
      notes: ['PyTorch 1.13.1, 1 thread'],
    });
    expect(text).toMatch(/^## \d{4}-\d\d-\d\d \d\d:\d\d UTC — quick run/);
    expect(text).toContain(machine.cpu);
    expect(text).toContain('| 1,235 |');
    expect(text).toContain('| 2.00× |');
    expect(text).toContain('- PyTorch 1.13.1, 1 thread');
  });
});
