/**
 * `weightscope`: the engine from the command line.
 *
 *   weightscope check <model>...   diagnostics as file:line:col: severity code message; exit 1 on errors
 *   weightscope init <model>       initialize as PyTorch would and print per-tensor statistics
 *   weightscope train <model>      train with the model's optimizer and print (or write) the losses
 *   --json                         machine-readable output
 *   --model Name                   which model of a .py file (a class or an nn.Sequential variable)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseModelFile, type ModelDiagnostic } from '../engine/model';
import { inspectInitialization } from '../engine/inspect/inspectInit';
import { ENGINE_VERSION } from '../engine/version';
import { DEFAULT_BATCH_SIZE, DEFAULT_STEPS } from '../engine/train/defaults';
import { NonFiniteError, Trainer } from '../engine/train/trainer';
import { formatDiagnostic, lineStarts } from './format';
import { readPythonModel } from './pythonModel';

const HELP = `weightscope ${ENGINE_VERSION}: what initialization and AdamW do to your network

Usage:
  weightscope check <model.nn.json|yaml|py>...   report problems (exit code 1 if any error)
  weightscope init <model.nn.json|yaml|py>       initialize and print per-tensor statistics
  weightscope train <model.nn.json|yaml|py>      train and print the loss (and write it with --out)
  weightscope --version

A .py file is parsed, never run: its nn.Module classes and nn.Sequential
assignments are models; pick one with --model when the file has several.

Options:
  --json        print JSON instead of text
  --bins N      histogram bins for init --json (default 40)
  --steps N     optimizer steps for train (default 500)
  --batch N     minibatch size for train (default 32)
  --out FILE    train: write the per-step losses as JSON to FILE
  --model NAME  the model of a .py file to use (class or variable name)
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
  model: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { command: undefined, files: [], json: false, bins: 40, steps: DEFAULT_STEPS, batch: DEFAULT_BATCH_SIZE, out: undefined, model: undefined };
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
    else if (a === '--model') {
      args.model = argv[++i];
      if (!args.model) throw new UsageError('--model needs a model name');
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

interface ReadModel {
  text: string;
  diagnostics: ModelDiagnostic[];
  spec: ReturnType<typeof parseModelFile>['spec'];
  /** A .py file without a model to pick: why. */
  problem?: string;
}

async function readModel(path: string, modelName?: string): Promise<ReadModel> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (/\.py$/i.test(path)) {
    const read = await readPythonModel(text, modelName);
    // check reports the whole file; init and train need one model and say why there is none.
    if (read.problem && modelName !== undefined) throw new UsageError(`${path}: ${read.problem}`);
    return { text, diagnostics: read.diagnostics, spec: read.spec, ...(read.problem ? { problem: read.problem } : {}) };
  }
  if (modelName !== undefined) throw new UsageError('--model applies to .py files only');
  const { spec, diagnostics } = parseModelFile(path, text);
  return { text, diagnostics, spec };
}

async function check(args: Args): Promise<number> {
  if (args.files.length === 0) throw new UsageError('check needs at least one model file');
  let errors = 0;
  const report: { file: string; diagnostics: ModelDiagnostic[] }[] = [];
  for (const file of args.files) {
    const { text, diagnostics } = await readModel(file, args.model);
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

async function init(args: Args): Promise<number> {
  const [file] = args.files;
  if (!file) throw new UsageError('init needs a model file');
  const { text, diagnostics, spec, problem } = await readModel(file, args.model);
  if (!spec) return explainNoSpec(file, text, diagnostics, problem);
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

async function train(args: Args): Promise<number> {
  const [file] = args.files;
  if (!file) throw new UsageError('train needs a model file');
  const { text, diagnostics, spec, problem } = await readModel(file, args.model);
  if (!spec) return explainNoSpec(file, text, diagnostics, problem);
  const trainer = new Trainer(spec, { batchSize: args.batch });
  const losses: number[] = [];
  const started = performance.now();
  let stopped: string | undefined;
  try {
    while (trainer.stepCount < args.steps) losses.push(trainer.step().loss);
  } catch (err) {
    if (!(err instanceof NonFiniteError)) throw err;
    stopped = err.message;
  }
  const seconds = (performance.now() - started) / 1000;
  const run = { model: spec.name, steps: losses.length, batchSize: args.batch, dataset: trainer.dataset.description, seconds, losses, ...(stopped ? { stopped } : {}) };
  if (args.out) writeFileSync(args.out, JSON.stringify(run));
  if (args.json) console.log(JSON.stringify(run));
  else {
    console.log(`${spec.name}: ${losses.length} steps in ${seconds.toFixed(2)} s (${(losses.length / seconds).toFixed(0)} steps/s) on ${trainer.dataset.description}`);
    console.log(`loss ${losses[0]?.toPrecision(6)} → ${losses.at(-1)?.toPrecision(6)}`);
    if (stopped) console.error(`stopped: ${stopped}`);
  }
  return stopped ? 1 : 0;
}

/** No model to run: the errors (or, for a .py file, why no model was picked), on stderr. */
function explainNoSpec(file: string, text: string, diagnostics: ModelDiagnostic[], problem: string | undefined): number {
  const starts = lineStarts(text);
  const shown = diagnostics.filter((d) => d.severity === 'error' || (problem !== undefined && d.code === 'py-cannot-model'));
  for (const d of shown.length > 0 ? shown : diagnostics) console.error(formatDiagnostic(file, starts, d));
  if (problem) console.error(`weightscope: ${file}: ${problem}${/several/.test(problem) ? ' with --model' : ''}`);
  return 1;
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

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    switch (args.command) {
      case 'check':
        return await check(args);
      case 'init':
        return await init(args);
      case 'train':
        return await train(args);
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

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
