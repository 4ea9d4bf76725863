/**
 * `npm run bench`: our engine and its peers (tfjs-wasm, tfjs-cpu, PyTorch)
 * on the same workloads in one run.
 *
 *   npm run bench                      full suite (< 10 min): table, bench/results.json, a row set in BENCHMARKS.md
 *   npm run bench -- --quick           smoke run (< 2 min): short budgets; BENCHMARKS.md only with --record
 *   npm run bench -- --only mlp784,gemm1024-nn --impl ours,tfjs-wasm
 *   npm run bench -- --only init-gpt2-small,init-resnet50   the model inspections through the engine worker alone
 *   npm run bench -- --only checkpoint-gpt2-small    a 498 MB safetensors file summarized through the engine worker
 *   npm run bench -- --only mnist-cnn,char-gpt       the deep models' training (their .py files, bench/deepModels.ts)
 *                                                     against PyTorch on OpenBLAS and tfjs-wasm
 *
 *   node --cpu-prof dist/bench.js --profile article   our engine alone on one workload for ~5 s, to profile
 *                                                     (then: node scripts/cpuprofile-top.mjs CPU.*.cpuprofile);
 *                                                     a worker workload (init-gpt2-small) is inspected once, in the main thread
 *
 * Internal: `--child <impl> --config <json>` runs one implementation and
 * prints its rows as JSON lines (see suite.ts); `--worker-inspect <json>` runs
 * one model inspection through the engine worker and prints its result
 * (see workerInspect.ts); `--training <json>` the training benchmark;
 * `--checkpoint-summary <json>` the 500 MB checkpoint (see checkpointSummary.ts).
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchExtensionPath } from './extensionPath';
import { benchTraining, type TrainingBenchOptions } from './training';
import { benchCheckpointSummary, CHECKPOINT_WORKLOAD } from './checkpointSummary';
import { machineFacts } from './machine';
import { BENCHMARKS_HEADER, ceilingSection, goalsText, markdownSection, tableCells, textTable } from './report';
import { IMPLS, pytorchInfo, runImplementation, runSuite, type Impl } from './suite';
import { FULL_BUDGET, QUICK_BUDGET } from './timing';
import { benchModelInspection, isModelInspection, profileModelInspection, type ModelInspectionId } from './workerInspect';
import { ADAMW, FULL_SIZES, PEER_WORKLOADS, WORKLOADS, type Sizes, type SuiteConfig } from './workloads';
import { enableWasmFeatures } from '../host/wasmFeatures';

// The engine's relaxed-SIMD kernels, as the CLI and the engine worker run them.
enableWasmFeatures();

const root = path.resolve(__dirname, '..');

interface Args {
  quick: boolean;
  record: boolean;
  only: string[] | null;
  impls: Impl[];
  child: Impl | null;
  config: SuiteConfig | null;
  profile: string | null;
  /** Internal: run the training benchmark alone in this (fresh) process and print its result as JSON. */
  training: TrainingBenchOptions | null;
  /** Internal: run one model inspection through the engine worker in this (fresh) process and print its result as JSON. */
  workerInspect: WorkerInspectRequest | null;
  /** Internal: summarize the 500 MB checkpoint through the engine worker in this (fresh) process and print the result as JSON. */
  checkpointSummary: { maxRuns: number; budgetMs: number } | null;
}

interface WorkerInspectRequest {
  id: ModelInspectionId;
  sizes: Sizes;
  maxRuns: number;
  budgetMs: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, record: true, only: null, impls: [...IMPLS], child: null, config: null, profile: null, training: null, workerInspect: null, checkpointSummary: null };
  let recordGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--quick') args.quick = true;
    else if (arg === '--record') recordGiven = true;
    else if (arg === '--only') args.only = list(value(), WORKLOADS.map((w) => w.id), 'workload');
    else if (arg === '--impl') args.impls = list(value(), IMPLS, 'implementation') as Impl[];
    else if (arg === '--child') args.child = list(value(), IMPLS, 'implementation')[0] as Impl;
    else if (arg === '--config') args.config = JSON.parse(value()) as SuiteConfig;
    else if (arg === '--profile') args.profile = list(value(), WORKLOADS.map((w) => w.id), 'workload')[0]!;
    else if (arg === '--training') args.training = JSON.parse(value()) as TrainingBenchOptions;
    else if (arg === '--worker-inspect') args.workerInspect = JSON.parse(value()) as WorkerInspectRequest;
    else if (arg === '--checkpoint-summary') args.checkpointSummary = JSON.parse(value()) as Args['checkpointSummary'];
    else throw new Error(`unknown argument '${arg}' (see bench/main.ts)`);
  }
  args.record = !args.quick || recordGiven;
  return args;
}

function list(value: string, allowed: readonly string[], what: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = items.filter((s) => !allowed.includes(s));
  if (unknown.length > 0) throw new Error(`unknown ${what} ${unknown.join(', ')}; known: ${allowed.join(', ')}`);
  return items;
}

async function child(impl: Impl, config: SuiteConfig): Promise<void> {
  if (impl === 'pytorch') throw new Error('PyTorch runs from bench/torch_bench.py');
  await runImplementation(impl, {
    config,
    emit: (row) => process.stdout.write(`${JSON.stringify(row)}\n`),
    log: (line) => process.stderr.write(`${line}\n`),
  }, root);
}

function tfjsVersion(): string {
  const file = path.join(root, 'node_modules/@tensorflow/tfjs-core/package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : 'not installed';
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child) {
    if (!args.config) throw new Error('--child needs --config');
    return child(args.child, args.config);
  }
  if (args.training) {
    process.stdout.write(`${JSON.stringify(await benchTraining(args.training))}\n`);
    return;
  }
  if (args.workerInspect) {
    const { id, sizes, maxRuns, budgetMs } = args.workerInspect;
    const result = await benchModelInspection(id, { workerPath: path.join(__dirname, 'worker.js'), sizes, maxRuns, budgetMs });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (args.checkpointSummary) {
    const result = await benchCheckpointSummary({ workerPath: path.join(__dirname, 'worker.js'), ...args.checkpointSummary });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (args.profile && isModelInspection(args.profile)) {
    const ms = profileModelInspection(args.profile, FULL_SIZES);
    process.stderr.write(`${args.profile}: inspected in the main thread in ${ms.toFixed(0)} ms\n`);
    return;
  }
  if (args.profile) {
    const config: SuiteConfig = { sizes: FULL_SIZES, budget: { ms: 5000, maxRuns: 1e6 }, adamw: ADAMW, only: [args.profile] };
    return child('ours', config);
  }
  const machine = machineFacts();
  // The implementations run the peer workloads; the worker's workloads (ours only) run below.
  const peerOnly = args.only && args.only.filter((id) => PEER_WORKLOADS.some((w) => w.id === id));
  const models = WORKLOADS.map((w) => w.id).filter(isModelInspection).filter((id) => !args.only || args.only.includes(id));
  const checkpoint = !args.only || args.only.includes(CHECKPOINT_WORKLOAD);
  const config: SuiteConfig = { sizes: FULL_SIZES, budget: args.quick ? QUICK_BUDGET : FULL_BUDGET, adamw: ADAMW, only: peerOnly };
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`Weightscope benchmarks (${args.quick ? 'quick' : 'full'}): ${machine.cpu}, ${machine.cores} cores, load ${machine.loadAverage}`);
  // The peer as it will run (which BLAS Debian's torch loaded decides its speed), before any row is measured.
  const pytorch = args.impls.includes('pytorch') && (!peerOnly || peerOnly.length > 0) ? await pytorchInfo(root) : null;
  if (pytorch) log(pytorch);
  const started = performance.now();
  const { rows, notes } = peerOnly && peerOnly.length === 0
    ? { rows: [], notes: [] }
    : await runSuite({
      config,
      impls: args.impls,
      root,
      script: __filename,
      timeoutMs: args.quick ? 60_000 : 240_000,
      log,
    });
  if (!peerOnly || peerOnly.length > 0) notes.unshift(`tfjs ${tfjsVersion()} (tfjs-core, tfjs-backend-cpu, tfjs-backend-wasm)`);
  // The extension's own paths: the worker round trip and traced training unless a subset of workloads was
  // asked for, and the model inspections through the worker that were asked for (all, without --only).
  if (!args.only || models.length > 0 || checkpoint) {
    const extension = await benchExtensionPath({ quick: args.quick, distDir: __dirname, sizes: FULL_SIZES, fixed: !args.only, models, checkpoint, log });
    rows.push(...extension.rows);
    notes.push(...extension.lines);
  }
  const seconds = (performance.now() - started) / 1000;
  notes.push(`suite took ${seconds.toFixed(0)} s`);

  console.log('');
  console.log(textTable(tableCells(rows)));
  console.log('');
  console.log('ratio = our speed ÷ peer speed (> 1: ours is faster)');
  console.log('');
  console.log(goalsText(rows));
  for (const line of ceilingSection(rows, textTable)) console.log(line);
  for (const note of notes) console.log(`note: ${note}`);

  // The rows with what they were measured on: the machine, and the peers' versions (PyTorch's BLAS among them).
  const results = { machine, mode: args.quick ? 'quick' : 'full', peers: notes, rows };
  writeFileSync(path.join(root, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwrote bench/results.json');
  if (args.record) {
    const file = path.join(root, 'BENCHMARKS.md');
    if (!existsSync(file)) writeFileSync(file, BENCHMARKS_HEADER);
    appendFileSync(file, `\n${markdownSection(rows, { mode: args.quick ? 'quick' : 'full', machine, notes })}`);
    console.log('appended a row set to BENCHMARKS.md');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
