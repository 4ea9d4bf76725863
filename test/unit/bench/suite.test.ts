/**
 * Smoke test of the benchmark suite: every workload of every implementation
 * runs once on tiny sizes (SMOKE_SIZES), and the rows have the schema of
 * bench/results.json. No timing is asserted (speed is shown by `npm run
 * bench`, not by tests); the report's arithmetic is checked on fixed rows.
 * The workloads run through the engine worker (GPT-2, ResNet-50) run on tiny
 * versions of their models, through a worker bundled for the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { goalMet, goals, goalsText, markdownSection, speedRatio, tableCells, textTable } from '../../../bench/report';
import { runSuite, type Impl } from '../../../bench/suite';
import { SMOKE_BUDGET } from '../../../bench/timing';
import { CHECKPOINT_METRICS, CHECKPOINT_WORKLOAD, checkpointLine, checkpointRows } from '../../../bench/checkpointSummary';
import { ADAMW, FULL_SIZES, PEER_WORKLOADS, SMOKE_SIZES, WORKLOADS, type ResultRow } from '../../../bench/workloads';
import { machineFacts } from '../../../bench/machine';
import { gpt2Spec, resnetSpec, TORCH_PARAMETER_COUNTS } from '../../../bench/models';
import { benchModelInspection, MODEL_INSPECTION_METRICS, modelInspectionLine, modelInspectionRows, type ModelInspectionId } from '../../../bench/workerInspect';
import { modelTensors, parameterCount } from '../../../engine/model/moduleTree';
import { describeSteps } from '../../../engine/modules/materialize';

const root = path.resolve(__dirname, '../../..');
/** Workloads only our engine runs (tracing, heap), and those needing `node --expose-gc`. */
const OURS_ONLY = ['article-traced', 'article-traced-ratio', 'article-alloc', 'article-heap', 'gemm1024-nn-1t-wall', 'gemm1024-nn-2t', 'mlp784-2t', 'mnist-cnn-2t', 'char-gpt-2t'];
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
      const expected = PEER_WORKLOADS.map((w) => w.id).filter((id) => (impl === 'ours' ? gc || !NEEDS_GC.includes(id) : !OURS_ONLY.includes(id)));
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
    // The BLAS torch loaded, read from the process (Debian's torch says "generic" whatever it runs on).
    expect(notes.join('\n')).toMatch(/^PyTorch .*, 1 thread, BLAS: (OpenBLAS \d+\.\d+\.\d+ \((pthread|sequential|OpenMP), 1 thread\)|reference BLAS|libblas|none loaded)/m);
    expect(rows.map((r) => r.workload).sort()).toEqual(PEER_WORKLOADS.map((w) => w.id).filter((id) => !OURS_ONLY.includes(id)).sort());
  });
});

describe('model inspections through the engine worker (smoke: tiny GPT-2 and ResNet, one run each)', () => {
  let dir: string;
  let workerPath: string;
  beforeAll(() => {
    // The engine worker as scripts/build.mjs bundles it (dist/worker.js), from the sources under test.
    dir = mkdtempSync(path.join(tmpdir(), 'weightscope-bench-'));
    workerPath = path.join(dir, 'worker.js');
    buildSync({
      entryPoints: [path.join(root, 'worker/main.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: workerPath,
      mainFields: ['module', 'main'], logLevel: 'silent',
      define: { 'import.meta.url': '__import_meta_url' },
      banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const workerWorkloads = WORKLOADS.filter((w) => w.via === 'worker');
  it('lists the model inspections and the checkpoint as worker workloads, measured in ms', () => {
    expect(workerWorkloads.map((w) => w.id)).toEqual(['init-gpt2-small', 'init-resnet50', CHECKPOINT_WORKLOAD]);
    for (const w of workerWorkloads) expect(w.unit).toBe('ms');
  });

  for (const id of ['init-gpt2-small', 'init-resnet50'] as ModelInspectionId[]) {
    it(`${id}: every tensor inspected in the worker, rows with the results' schema`, async () => {
      const result = await benchModelInspection(id, { workerPath, sizes: SMOKE_SIZES, maxRuns: 1, budgetMs: 0 });
      const spec = id === 'init-gpt2-small' ? gpt2Spec(SMOKE_SIZES.gpt2) : resnetSpec(SMOKE_SIZES.resnet50);
      expect(result.parameters).toBe(parameterCount(spec));
      // Every tensor once (a tied one once), buffers included.
      expect(result.tensors).toBe(modelTensors(spec).filter((e) => e.sameAs === undefined).length);
      expect(result.runs).toHaveLength(1);
      const rows = modelInspectionRows(result);
      for (const row of rows) {
        expect(Object.keys(row).sort()).toEqual(['impl', 'metric', 'unit', 'value', 'workload']);
        expect(row).toMatchObject({ workload: id, impl: 'ours' });
        expect(['ms', 'MB']).toContain(row.unit);
        expect(Number.isFinite(row.value) && row.value >= 0, `${row.metric} = ${row.value}`).toBe(true);
      }
      expect(rows[0]!.metric).toBe(MODEL_INSPECTION_METRICS.wall);
      for (const metric of [MODEL_INSPECTION_METRICS.memory, MODEL_INSPECTION_METRICS.stall, MODEL_INSPECTION_METRICS.eventLoopDelay]) {
        expect(rows.filter((r) => r.metric.startsWith(metric)), metric).toHaveLength(1);
      }
      expect(modelInspectionLine(result)).toMatch(/goal < 5000: (met|NOT met).*goal < 400: (met|NOT met).*goal < 50: (met|NOT met)/);
      // The suite's table and goals pick these rows up.
      expect(textTable(tableCells(rows))).toContain(WORKLOADS.find((w) => w.id === id)!.title);
      expect(goalsText(rows).split('\n')).toHaveLength(2 + 3);
    });
  }

  it('builds the full-size models with torch\'s state_dict and parameter counts', () => {
    const gpt = gpt2Spec(FULL_SIZES.gpt2);
    const resnet = resnetSpec(FULL_SIZES.resnet50);
    expect(parameterCount(gpt)).toBe(TORCH_PARAMETER_COUNTS.gpt2Small);
    expect(parameterCount(resnet)).toBe(TORCH_PARAMETER_COUNTS.resnet50);
    // state_dict: 149 keys for nanoGPT's GPT-2 (lm_head.weight tied to transformer.wte.weight), 320 for resnet50().
    const gptTensors = modelTensors(gpt);
    expect(gptTensors).toHaveLength(149);
    expect(gptTensors.find((e) => e.name === 'lm_head.weight')!.sameAs).toBe('transformer.wte.weight');
    const byName = new Map(gptTensors.map((e) => [e.name, e]));
    expect(describeSteps(byName.get('transformer.h.11.mlp.c_proj.weight')!.decl).initializer).toBe(`normal_(mean=0, std=${Number((0.02 / Math.sqrt(24)).toPrecision(6))})`);
    expect(describeSteps(byName.get('transformer.h.0.attn.c_attn.bias')!.decl).initializer).toBe('zeros_()');
    const resnetTensors = modelTensors(resnet);
    expect(resnetTensors).toHaveLength(320);
    expect(resnetTensors.filter((e) => e.decl.kind === 'buffer')).toHaveLength(3 * 53);
    expect(resnetTensors.find((e) => e.name === 'layer4.0.downsample.0.weight')!.decl.shape).toEqual([2048, 1024, 1, 1]);
    expect(describeSteps(resnetTensors.find((e) => e.name === 'conv1.weight')!.decl).initializer).toBe("kaiming_normal_(mode='fan_out', nonlinearity='relu')");
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
    // The deep models: ≥ 1.5× PyTorch and ≥ 5× tfjs-wasm.
    const deep = Object.fromEntries(goals([
      row('mnist-cnn', 'ours', 8, 'steps/s'), row('mnist-cnn', 'pytorch', 5, 'steps/s'), row('mnist-cnn', 'tfjs-wasm', 2, 'steps/s'),
      row('char-gpt', 'ours', 14, 'steps/s'), row('char-gpt', 'pytorch', 10, 'steps/s'), row('char-gpt', 'tfjs-wasm', 2, 'steps/s'),
    ]).map((g) => [g.text, goalMet(g)]));
    expect(deep).toMatchObject({
      "PyTorch's MNIST CNN training vs PyTorch": true, "PyTorch's MNIST CNN training vs tfjs-wasm": false,
      'char nanoGPT training vs PyTorch': false, 'char nanoGPT training vs tfjs-wasm': true,
    });
    // With the training run's interleaved measurement in the rows, the goal uses it.
    const withRun = [...rows, { workload: 'train-article-traced', impl: 'ours', metric: 'traced ÷ off (wall clock, median of interleaved chunks)', value: 0.85, unit: 'ratio' }];
    const tracing = goals(withRun).find((g) => g.text === "article's model, tracing on ÷ off")!;
    expect(tracing.measured).toBe(0.85);
    expect(goalMet(tracing)).toBe(true);
    // A model inspection through the worker: its goals read their own metrics among the workload's rows.
    const gpt = [
      { workload: 'init-gpt2-small', impl: 'ours', metric: MODEL_INSPECTION_METRICS.wall, value: 6000, unit: 'ms' },
      { workload: 'init-gpt2-small', impl: 'ours', metric: `${MODEL_INSPECTION_METRICS.memory}, VmHWM`, value: 300, unit: 'MB' },
      { workload: 'init-gpt2-small', impl: 'ours', metric: MODEL_INSPECTION_METRICS.stall, value: 12, unit: 'ms' },
    ];
    const modelGoals = goals(gpt).filter((g) => g.text.startsWith('GPT-2 small'));
    expect(modelGoals.map((g) => [g.measured, goalMet(g)])).toEqual([[6000, false], [300, true], [12, true]]);
    expect(goals(gpt).filter((g) => g.text.startsWith('ResNet-50')).every((g) => goalMet(g) === undefined)).toBe(true);
  });

  it('the 500 MB checkpoint: rows, line and goals from its runs', () => {
    const result = { bytes: 497_774_320, tensors: 148, parameters: 124_439_808, runs: [{ wallMs: 2100, cpuMs: 1900, extraBytes: 90e6 }, { wallMs: 1900, cpuMs: 1800, extraBytes: 120e6 }, { wallMs: 3500, cpuMs: 2000, extraBytes: 80e6 }] };
    const rows = checkpointRows(result);
    expect(rows.map((r) => [r.metric, r.value, r.unit])).toEqual([[CHECKPOINT_METRICS.wall, 2100, 'ms'], [CHECKPOINT_METRICS.memory, 120, 'MB'], [CHECKPOINT_METRICS.cpu, 1900, 'ms']]);
    expect(checkpointLine(result)).toMatch(/498 MB .*\(148 tensors, 124,439,808 elements.* 2100 ms \(goal < 3000: met\), peak 120 MB .*goal < 300: met\); CPU time 1900 ms/);
    const checkpointGoals = goals(rows).filter((g) => g.text.startsWith('checkpoint:'));
    expect(checkpointGoals.map((g) => [g.measured, goalMet(g)])).toEqual([[2100, true], [120, true]]);
    expect(textTable(tableCells(rows))).toContain(WORKLOADS.find((w) => w.id === CHECKPOINT_WORKLOAD)!.title);
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
