/**
 * `weightscope`: the engine from the command line.
 *
 *   weightscope check <model>...   diagnostics as file:line:col: severity code message; exit 1 on errors
 *   weightscope init <model>       initialize as PyTorch would and print per-tensor statistics
 *   weightscope train <model>      train with the model's optimizer and print (or write) the losses;
 *                                  with --run DIR, record the run (every term per layer) in the run format
 *   --json                         machine-readable output
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseModelFile, type ModelDiagnostic } from '../engine/model';
import { inspectInitialization } from '../engine/inspect/inspectInit';
import { ENGINE_VERSION } from '../engine/version';
import { DEFAULT_BATCH_SIZE, DEFAULT_STEPS } from '../engine/train/defaults';
import { encodeSnapshotLine, encodeStepLine, runMetaFor, TrainingRun } from '../engine/run';
import { RunFolderWriter } from './runFiles';
import path from 'node:path';
import { formatDiagnostic, lineStarts } from './format';

const HELP = `weightscope ${ENGINE_VERSION}: what initialization and AdamW do to your network

Usage:
  weightscope check <model.nn.json|yaml>...   report problems (exit code 1 if any error)
  weightscope init <model.nn.json|yaml>       initialize and print per-tensor statistics
  weightscope train <model.nn.json|yaml>      train and print the loss (and write it with --out)
  weightscope --version

Options:
  --json        print JSON instead of text
  --bins N      histogram bins for init --json (default 40)
  --steps N     optimizer steps for train (default 500)
  --batch N     minibatch size for train (default 32)
  --out FILE    train: write the per-step losses as JSON to FILE
  --run DIR     train: record the run (per-step, per-layer optimizer terms and
                snapshots) in the folder DIR, in the run format (docs/run-format.md)
  -h, --help    show this help
`;

interface Args {
  command: string | undefined;
  files: string[];
  json: boolean;
  bins: number;
  steps: number;
  batch: number;
  out: string | undefined;
  run: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { command: undefined, files: [], json: false, bins: 40, steps: DEFAULT_STEPS, batch: DEFAULT_BATCH_SIZE, out: undefined, run: undefined };
  const positiveInt = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} needs a positive integer, got ${value ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') args.json = true;
    else if (a === '--bins') args.bins = positiveInt(a, argv[++i]);
    else if (a === '--steps') args.steps = positiveInt(a, argv[++i]);
    else if (a === '--batch') args.batch = positiveInt(a, argv[++i]);
    else if (a === '--out') args.out = argv[++i];
    else if (a === '--run') {
      args.run = argv[++i];
      if (!args.run) throw new UsageError('--run needs a folder');
    }
    else if (a === '-h' || a === '--help') args.command = 'help';
    else if (a === '--version') args.command = 'version';
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (args.command === undefined) args.command = a;
    else args.files.push(a);
  }
  return args;
}

class UsageError extends Error {}

function readModel(path: string): { text: string; diagnostics: ModelDiagnostic[]; spec: ReturnType<typeof parseModelFile>['spec'] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const { spec, diagnostics } = parseModelFile(path, text);
  return { text, diagnostics, spec };
}

function check(args: Args): number {
  if (args.files.length === 0) throw new UsageError('check needs at least one model file');
  let errors = 0;
  const report: { file: string; diagnostics: ModelDiagnostic[] }[] = [];
  for (const file of args.files) {
    const { text, diagnostics } = readModel(file);
    errors += diagnostics.filter((d) => d.severity === 'error').length;
    report.push({ file, diagnostics });
    if (!args.json) {
      const starts = lineStarts(text);
      for (const d of diagnostics) console.log(formatDiagnostic(file, starts, d));
    }
  }
  if (args.json) console.log(JSON.stringify(report, null, 2));
  else console.error(`${args.files.length} file(s) checked: ${errors} error(s)`);
  return errors > 0 ? 1 : 0;
}

function init(args: Args): number {
  const [file] = args.files;
  if (!file) throw new UsageError('init needs a model file');
  const { text, diagnostics, spec } = readModel(file);
  if (!spec) {
    const starts = lineStarts(text);
    for (const d of diagnostics) console.error(formatDiagnostic(file, starts, d));
    return 1;
  }
  const inspection = inspectInitialization(spec, { bins: args.bins });
  if (args.json) {
    console.log(JSON.stringify(inspection, null, 2));
    return 0;
  }
  console.log(`${inspection.modelName}: ${inspection.parameterCount.toLocaleString('en-US')} parameters, seed ${inspection.seed}`);
  const rows = inspection.parameters.map((p) => [
    p.name, `[${p.shape.join(', ')}]`, p.initializer,
    p.theory ? fmt(p.theory.std) : '—', fmt(p.sample.std), fmt(p.sample.min), fmt(p.sample.max), p.ks === null ? '—' : p.ks.toFixed(4),
  ]);
  printTable(['tensor', 'shape', 'initializer', 'std (theory)', 'std (sample)', 'min', 'max', 'KS D'], rows);
  return 0;
}

function train(args: Args): number {
  const [file] = args.files;
  if (!file) throw new UsageError('train needs a model file');
  const { text, diagnostics, spec } = readModel(file);
  if (!spec) {
    const starts = lineStarts(text);
    for (const d of diagnostics) console.error(formatDiagnostic(file, starts, d));
    return 1;
  }
  const run = new TrainingRun(spec, { steps: args.steps, batchSize: args.batch, trace: args.run !== undefined });
  const trainer = run.trainer;
  const writer = args.run ? new RunFolderWriter(args.run, runMetaFor(spec, {
    id: path.basename(path.resolve(args.run)), steps: args.steps, createdAt: new Date().toISOString(), source: path.resolve(file), batchSize: args.batch, dataset: trainer.dataset.description,
  })) : undefined;
  const losses: number[] = [];
  const started = performance.now();
  let stopped: string | undefined;
  try {
    while (!run.done) {
      const { step, snapshot, stopped: bad } = run.advance();
      losses.push(step.loss);
      writer?.append(encodeStepLine(step));
      if (snapshot) writer?.append(encodeSnapshotLine(snapshot));
      if (bad) stopped = bad.message;
    }
  } catch (err) {
    writer?.update({ status: 'failed', reason: err instanceof Error ? err.message : String(err), stepsDone: trainer.stepCount });
    throw err;
  }
  if (!stopped && run.stopped) stopped = run.stopped.message;
  writer?.update({ status: stopped ? 'non-finite' : 'completed', stepsDone: trainer.stepCount, ...(stopped ? { reason: stopped } : {}), ...(run.stopped ? { nonFinite: run.stopped } : {}) });
  const seconds = (performance.now() - started) / 1000;
  const summary = { model: spec.name, steps: losses.length, batchSize: args.batch, dataset: trainer.dataset.description, seconds, losses, ...(stopped ? { stopped } : {}), ...(args.run ? { run: args.run } : {}) };
  if (args.out) writeFileSync(args.out, JSON.stringify(summary));
  if (args.json) console.log(JSON.stringify(summary));
  else {
    console.log(`${spec.name}: ${losses.length} steps in ${seconds.toFixed(2)} s (${(losses.length / seconds).toFixed(0)} steps/s) on ${trainer.dataset.description}`);
    console.log(`loss ${losses[0]?.toPrecision(6)} → ${losses.at(-1)?.toPrecision(6)}`);
    if (stopped) console.error(`stopped: ${stopped}`);
    if (args.run) console.log(`run recorded in ${args.run}`);
  }
  return stopped ? 1 : 0;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(4) : String(x);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

export function main(argv: string[]): number {
  try {
    const args = parseArgs(argv);
    switch (args.command) {
      case 'check':
        return check(args);
      case 'init':
        return init(args);
      case 'train':
        return train(args);
      case 'version':
        console.log(ENGINE_VERSION);
        return 0;
      case 'help':
      case undefined:
        process.stdout.write(HELP);
        return args.command === 'help' ? 0 : 2;
      default:
        throw new UsageError(`unknown command "${args.command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`weightscope: ${err.message}\n(run weightscope --help)`);
      return 2;
    }
    console.error(`weightscope: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
