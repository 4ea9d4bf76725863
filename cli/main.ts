/**
 * `weightscope`: the engine from the command line.
 *
 *   weightscope check <model>...   diagnostics as file:line:col: severity code message; exit 1 on errors
 *   weightscope init <model>       initialize as PyTorch would and print per-tensor statistics
 *   weightscope train <model>      train with the model's optimizer and print (or write) the losses;
 *                                  with --run DIR, record the run (every term per layer) in the run format
 *   weightscope signal <model>     the signal through depth at initialization, with its verdict
 *   weightscope compare <model>    the model under several initializers and seeds, one verdict each
 *   weightscope weights <checkpoint>  every tensor of a checkpoint (safetensors, torch.save, .npz) with its statistics;
 *                                  --model FILE against the model's initializers, --init CKPT the drift from a start
 *   --json                         machine-readable output
 *   --model Name                   which model of a .py file (a class or an nn.Sequential variable)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseModelFile, type ModelDiagnostic } from '../engine/model';
import { inspectInitialization } from '../engine/inspect/inspectInit';
import { ONE_ELEMENT_STD } from '../engine/inspect/types';
import { ENGINE_VERSION } from '../engine/version';
import { plannedBatchSize, plannedSteps } from '../engine/train/defaults';
import type { Located } from '../engine/model/located';
import type { ModelResources } from '../engine/model/resources';
import { isChainModel, isRunnableModel, type ChainModelSpec, type ModelSpec, type RunnableModelSpec } from '../engine/model/spec';
import { LEFT_OUT } from '../pymodel/notes';
import type { Dataset } from '../engine/data/dataset';
import { DEFAULT_MAX_RUN_MB, RecordingPolicy, runMetaFor, TrainingRun } from '../engine/run';
import { RunFolderWriter } from './runFiles';
import { lockRunFolder, RunLockError, type RunLock } from './runLock';
import { RUN_META_FILE, RUN_STEPS_FILE } from '../engine/run/format';
import path from 'node:path';
import { formatDiagnostic, notebookLocator, textLocator, type Locator } from './format';
import { combineCells, isNotebookPath, readIpynb, type NotebookSource } from '../pymodel/notebook';
import { printComparison, printSignal, printWithValues } from './inspect';
import { cliConfinement, loadResources } from './resources';
import { DEFAULT_MAX_PARAMETERS, sizeProblem } from '../engine/model/memory';
import { hasNestedModules, moduleTreeLines } from './moduleTree';
import { printTable } from './table';
import { readPythonModel } from './pythonModel';
import { weightsLines, weightsReport } from './weights';

const HELP = `weightscope ${ENGINE_VERSION}: what initialization and AdamW do to your network

Usage:
  weightscope check <model.nn.json|yaml|py|ipynb>...   report problems (exit code 1 if any error)
  weightscope init <model.nn.json|yaml|py|ipynb>       initialize and print per-tensor statistics
  weightscope train <model.nn.json|yaml|py|ipynb>      train and print the loss (and write it with --out)
  weightscope signal <model.nn.json|yaml|py|ipynb>     activation and gradient std through depth at initialization
  weightscope compare <model.nn.json|yaml|py|ipynb>    the article's initializers, Xavier, Kaiming and torch's default side by side
  weightscope weights <checkpoint>                     every tensor of a checkpoint with dtype, shape, mean, std,
                                                       min, max, L2 norm, share of zeros (--json adds histograms);
                                                       --model FILE[:NAME] adds each tensor's initializer, theory std
                                                       and std now ÷ theory std; --init CKPT (or the model's init_from)
                                                       the drift ‖θ − θ₀‖/‖θ₀‖
  weightscope --version

Checkpoints: .safetensors (or a sharded model.safetensors.index.json), torch.save
files (.pt, .pth, .bin, Lightning's .ckpt) and NumPy .npz. They are read as data:
a pickle is decoded by a restricted reader that accepts tensors, dicts, lists and
plain values only and refuses anything else by name; nothing in it is run.

A .py file (or a notebook's code cells, .ipynb) is parsed, never run: its nn.Module classes and nn.Sequential
assignments are models; pick one with --model when the file has several.

Options:
  --json        print JSON instead of text
  --bins N      histogram bins for init, compare and weights --json (default 40)
  --seeds N     seeds per initializer for compare (default 3)
  --steps N     optimizer steps for train (default: the model file's steps or epochs, else 500)
  --batch N     minibatch size for train (default 32)
  --out FILE    train: write the per-step losses as JSON to FILE
  --run DIR     train: record the run (per-step, per-layer optimizer terms and
                snapshots) in the folder DIR, in the run format (docs/run-format.md)
  --max-run-mb N  train --run: the run's size cap in MB (default 100); every step's
                loss is kept, full records dense at first, then log-thinned, and
                past the cap only losses
  --model NAME  the model of a .py or .ipynb file to use (class or variable name);
                weights: the model file (FILE or FILE.py:NAME) whose state_dict the checkpoint is
  --init FILE   weights: the initial checkpoint of the same model, for the drift
  --max-parameters N
                most parameters of a model to train or run (default 20000000, as the
                setting weightscope.limits.maxParameters); inspection (init) is limited
                only by the memory it would need
  --allow-outside-paths
                let a model file's data and init_from paths lead outside the model
                file's folder and the current directory (by default they are refused)
  --values      init --json: add every tensor's initial values ("values": name → flat list, torch's
                numbers for torch.manual_seed(seed), float32 values written exactly)
  -h, --help    show this help
`;

interface Args {
  command: string | undefined;
  files: string[];
  json: boolean;
  bins: number;
  /** Unset: the model file's. */
  steps: number | undefined;
  batch: number | undefined;
  out: string | undefined;
  seeds: number;
  run: string | undefined;
  maxRunMB: number;
  model: string | undefined;
  maxParameters: number;
  allowOutsidePaths: boolean;
  /** weights: the initial checkpoint to measure the drift from. */
  init: string | undefined;
  /** init --json: also print every tensor's values. */
  values: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { command: undefined, files: [], json: false, bins: 40, steps: undefined, batch: undefined, out: undefined, seeds: 3, run: undefined, maxRunMB: DEFAULT_MAX_RUN_MB, model: undefined, maxParameters: DEFAULT_MAX_PARAMETERS, allowOutsidePaths: false, init: undefined, values: false };
  const positiveInt = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} needs a positive integer, got ${value ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') args.json = true;
    else if (a === '--values') args.values = true;
    else if (a === '--bins') args.bins = positiveInt(a, argv[++i]);
    else if (a === '--steps') args.steps = positiveInt(a, argv[++i]);
    else if (a === '--batch') args.batch = positiveInt(a, argv[++i]);
    else if (a === '--out') args.out = argv[++i];
    else if (a === '--seeds') args.seeds = positiveInt(a, argv[++i]);
    else if (a === '--max-parameters') args.maxParameters = positiveInt(a, argv[++i]);
    else if (a === '--allow-outside-paths') args.allowOutsidePaths = true;
    else if (a === '--max-run-mb') args.maxRunMB = positiveInt(a, argv[++i]);
    else if (a === '--run') {
      args.run = argv[++i];
      if (!args.run) throw new UsageError('--run needs a folder');
    } else if (a === '--init') {
      args.init = argv[++i];
      if (!args.init) throw new UsageError('--init needs a checkpoint file');
    } else if (a === '--model') {
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
  /** Where a diagnostic's offset is, for printing it. */
  locate: Locator;
  diagnostics: ModelDiagnostic[];
  spec: ReturnType<typeof parseModelFile>['spec'];
  /** A .py file without a model to pick: why. */
  problem?: string;
  /** The located tree of a model file (none for .py models), for ranges of problems found later. */
  tree?: Located;
}

const LIMIT_NAME = '--max-parameters';

async function readModel(path: string, args: Pick<Args, 'model' | 'maxParameters'>): Promise<ReadModel> {
  const modelName = args.model;
  const limits = { maxParameters: args.maxParameters, limitName: LIMIT_NAME };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let locate = textLocator(text);
  if (isNotebookPath(path)) {
    // A notebook's code cells in order are one Python file.
    let source: NotebookSource;
    try {
      source = combineCells(readIpynb(text));
    } catch (err) {
      throw new UsageError(`${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    text = source.text;
    locate = notebookLocator(source);
  }
  if (/\.py$/i.test(path) || isNotebookPath(path)) {
    const read = await readPythonModel(text, modelName, { file: path, ...limits });
    // check reports the whole file; init and train need one model and say why there is none.
    if (read.problem && modelName !== undefined) throw new UsageError(`${path}: ${read.problem}`);
    return { locate, diagnostics: read.diagnostics, spec: read.spec, ...(read.problem ? { problem: read.problem } : {}), ...(read.tree ? { tree: read.tree } : {}) };
  }
  if (modelName !== undefined) throw new UsageError('--model applies to .py and .ipynb files only');
  const { spec, diagnostics, tree } = parseModelFile(path, text, limits);
  return { locate, diagnostics, spec, ...(tree ? { tree } : {}) };
}

async function check(args: Args): Promise<number> {
  if (args.files.length === 0) throw new UsageError('check needs at least one model file');
  let errors = 0;
  const report: { file: string; diagnostics: ModelDiagnostic[] }[] = [];
  for (const file of args.files) {
    const { locate, diagnostics: own, spec, tree } = await readModel(file, args);
    // What train would reject in the files the model names (headers, shapes, paths) is reported here too.
    const resources = spec ? (await loadResources(file, spec, tree, cliConfinement(file, args.allowOutsidePaths))).diagnostics : [];
    const diagnostics = [...own, ...resources];
    errors += diagnostics.filter((d) => d.severity === 'error').length;
    report.push({ file, diagnostics });
    if (!args.json) for (const d of diagnostics) console.log(formatDiagnostic(file, locate, d));
  }
  if (args.json) console.log(JSON.stringify(report, null, 2));
  else console.error(`${args.files.length} file(s) checked: ${errors} error(s)`);
  return errors > 0 ? 1 : 0;
}

/**
 * The model of `args.files[0]` with its data and initial weights, or the exit
 * code after printing why there is none. Problems with the files it points at
 * stop `train`; the other commands print them as warnings and go on with the
 * engine's synthetic data.
 */
async function loadModel(args: Args, command: string): Promise<{ spec: ModelSpec; resources: ModelResources } | number> {
  const [file] = args.files;
  if (!file) throw new UsageError(`${command} needs a model file`);
  const { locate, diagnostics, spec, problem, tree } = await readModel(file, args);
  if (!spec) return explainNoSpec(file, locate, diagnostics, problem);
  // A module the Python reader could not build is missing from what follows: say so first.
  for (const d of diagnostics.filter((x) => x.code === LEFT_OUT)) console.error(formatDiagnostic(file, locate, { ...d, severity: 'warning' }));
  const resources = await loadResources(file, spec, tree, cliConfinement(file, args.allowOutsidePaths));
  // Training on stand-in data would look like a result; an inspection of the initialization only notes it.
  const fatal = command === 'train';
  for (const d of resources.diagnostics) console.error(formatDiagnostic(file, locate, fatal ? d : { ...d, severity: 'warning' }));
  if (fatal && resources.diagnostics.some((d) => d.severity === 'error')) return 1;
  return { spec, resources };
}

/** A model the engine can run, with its data; or the exit code after saying why the command cannot run it. */
async function loadChainModel(args: Args, command: string): Promise<{ spec: ChainModelSpec; resources: ModelResources & { dataset: Dataset } } | number> {
  const loaded = await loadRunnableModel(args, command);
  if (typeof loaded === 'number') return loaded;
  const { spec, resources } = loaded;
  if (!isChainModel(spec)) {
    console.error(`weightscope ${command}: ${args.files[0]}: ${command} compares initializers on a chain of layers; ${spec.name}'s forward is a graph.`);
    return 1;
  }
  return { spec, resources };
}

/** A model the engine can run (a chain or a forward graph), with its data; or the exit code after saying why not. */
async function loadRunnableModel(args: Args, command: string): Promise<{ spec: RunnableModelSpec; resources: ModelResources & { dataset: Dataset } } | number> {
  const loaded = await loadModel(args, command);
  if (typeof loaded === 'number') return loaded;
  const { spec, resources } = loaded;
  if (!isRunnableModel(spec) || !resources.dataset) {
    console.error(`weightscope ${command}: ${args.files[0]}: the engine cannot run ${spec.name}'s forward pass yet: ${spec.forwardUnavailable ?? 'it is not a chain of layers'}. \`weightscope init\` shows its initialization.`);
    return 1;
  }
  // The file's model fits (checked when it was read); the batch given on the command line may not.
  const tooLarge = sizeProblem(spec, command === 'train' ? 'train' : 'signal', { maxParameters: args.maxParameters, limitName: LIMIT_NAME }, command === 'train' ? plannedBatchSize(spec, args.batch) : undefined);
  if (tooLarge) {
    console.error(`weightscope ${command}: ${args.files[0]}: too-large: ${tooLarge}`);
    return 1;
  }
  return { spec, resources: { ...resources, dataset: resources.dataset } };
}

async function init(args: Args): Promise<number> {
  const loaded = await loadModel(args, 'init');
  if (typeof loaded === 'number') return loaded;
  const { spec, resources } = loaded;
  if (args.values && !args.json) {
    console.error('weightscope init: --values needs --json');
    return 2;
  }
  const inspection = inspectInitialization(spec, { bins: args.bins }, resources.checkpoint);
  if (args.json) {
    if (args.values) printWithValues(inspection, spec, resources.checkpoint);
    else console.log(JSON.stringify(inspection, null, 2));
    return 0;
  }
  console.log(`${inspection.modelName}: ${inspection.parameterCount.toLocaleString('en-US')} parameters, seed ${inspection.seed}`);
  if (inspection.modules && hasNestedModules(inspection.modules)) {
    console.log('');
    // The root's count is the model's (a tied tensor once, as torch's parameters() yields it).
    for (const line of moduleTreeLines({ ...inspection.modules, parameterCount: inspection.parameterCount }, inspection.modelName)) console.log(line);
    console.log('');
  }
  const rows = inspection.parameters.map((p) => [
    p.name, `[${p.shape.join(', ')}]`, p.initializer,
    p.theory ? fmt(p.theory.std) : '—', p.sample.std === null ? '–' : fmt(p.sample.std), fmt(p.sample.min), fmt(p.sample.max), p.ks === null ? '—' : p.ks.toFixed(4),
  ]);
  printTable(['tensor', 'shape', 'initializer', 'std (theory)', 'std (sample)', 'min', 'max', 'KS D'], rows);
  if (inspection.parameters.some((p) => p.sample.std === null)) console.log(`–: ${ONE_ELEMENT_STD}`);
  return 0;
}

async function train(args: Args): Promise<number> {
  const loaded = await loadRunnableModel(args, 'train');
  if (typeof loaded === 'number') return loaded;
  const { spec, resources } = loaded;
  const file = args.files[0]!;
  const batchSize = plannedBatchSize(spec, args.batch);
  const steps = plannedSteps(spec, resources.dataset.count, batchSize, args.steps);
  const lock = args.run ? takeRunFolder(args.run) : undefined;
  if (typeof lock === 'string') {
    console.error(`weightscope train: ${lock}`);
    return 1;
  }
  try {
    const run = new TrainingRun(spec, {
      steps, batchSize, trace: args.run !== undefined, dataset: resources.dataset,
      // The records go to the run folder as they come; memory stays flat however long the run.
      recorder: { keepSteps: false },
      ...(resources.checkpoint ? { checkpoint: resources.checkpoint } : {}),
    });
    return trainInto(args, spec, run, file, steps, batchSize);
  } finally {
    lock?.release();
  }
}

/**
 * The lock of a fresh run folder, or why `dir` cannot take this run: another writer holds it, or it already
 * holds a run (whose steps this one would be appended to).
 */
function takeRunFolder(dir: string): RunLock | string {
  let lock: RunLock;
  try {
    lock = lockRunFolder(dir);
  } catch (err) {
    if (err instanceof RunLockError) return err.message;
    throw err;
  }
  if ([RUN_META_FILE, RUN_STEPS_FILE].some((name) => existsSync(path.join(dir, name)))) {
    lock.release();
    return `${dir} already holds a run; record this one in a new folder (a run is never appended to)`;
  }
  return lock;
}

function trainInto(args: Args, spec: RunnableModelSpec, run: TrainingRun, file: string, steps: number, batchSize: number): number {
  const trainer = run.trainer;
  const policy = new RecordingPolicy({ plannedSteps: steps, maxBytes: args.maxRunMB * 1024 * 1024 });
  const writer = args.run ? new RunFolderWriter(args.run, {
    ...runMetaFor(spec, { id: path.basename(path.resolve(args.run)), steps, createdAt: new Date().toISOString(), source: path.resolve(file), batchSize, dataset: trainer.dataset.description }),
    recording: policy.info,
  }) : undefined;
  const losses: number[] = [];
  const started = performance.now();
  let stopped: string | undefined;
  try {
    while (!run.done) {
      const advanced = run.advance();
      const { step, stopped: bad } = advanced;
      losses.push(step.loss);
      if (writer) {
        writer.append(policy.linesFor(advanced, run.done).text);
        writer.stepDone(step.step, { recording: policy.info });
      }
      if (bad) stopped = bad.message;
    }
  } catch (err) {
    writer?.update({ status: 'failed', reason: err instanceof Error ? err.message : String(err), stepsDone: trainer.stepCount, recording: policy.info });
    throw err;
  }
  if (!stopped && run.stopped) stopped = run.stopped.message;
  writer?.update({ status: stopped ? 'non-finite' : 'completed', stepsDone: trainer.stepCount, recording: policy.info, ...(stopped ? { reason: stopped } : {}), ...(run.stopped ? { nonFinite: run.stopped } : {}) });
  const seconds = (performance.now() - started) / 1000;
  const summary = { model: spec.name, steps: losses.length, batchSize, dataset: trainer.dataset.description, seconds, losses, ...(stopped ? { stopped } : {}), ...(args.run ? { run: args.run } : {}) };
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

/** No model to run: the errors (or, for a .py file, why no model was picked), on stderr. */
function explainNoSpec(file: string, locate: Locator, diagnostics: ModelDiagnostic[], problem: string | undefined): number {
  const shown = diagnostics.filter((d) => d.severity === 'error' || (problem !== undefined && d.code === 'py-cannot-model'));
  for (const d of shown.length > 0 ? shown : diagnostics) console.error(formatDiagnostic(file, locate, d));
  if (problem) console.error(`weightscope: ${file}: ${problem}${/several/.test(problem) ? ' with --model' : ''}`);
  return 1;
}

async function weights(args: Args): Promise<number> {
  const [file] = args.files;
  if (!file) throw new UsageError('weights needs a checkpoint file');
  if (args.files.length > 1) throw new UsageError('weights reads one checkpoint at a time');
  let model: { spec: ModelSpec; file: string } | undefined;
  if (args.model !== undefined) {
    // --model names the model file here, optionally with the model: file.py:ClassName.
    const picked = /^(.*\.(?:py|ipynb)):([A-Za-z_]\w*)$/.exec(args.model);
    const modelFile = picked ? picked[1]! : args.model;
    const { locate, diagnostics, spec, problem } = await readModel(modelFile, { model: picked?.[2], maxParameters: args.maxParameters });
    if (!spec) return explainNoSpec(modelFile, locate, diagnostics, problem);
    model = { spec, file: modelFile };
  }
  const report = await weightsReport(file, { bins: args.bins, ...(model ? { model } : {}), ...(args.init ? { init: args.init } : {}) });
  if (args.json) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  const { heading, header, rows } = weightsLines(report);
  for (const line of heading) console.log(line);
  console.log('');
  printTable(header, rows);
  return 0;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(4) : String(x);
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
      case 'signal': {
        const loaded = await loadRunnableModel(args, args.command);
        if (typeof loaded === 'number') return loaded;
        printSignal(loaded.spec, loaded.resources.dataset, loaded.resources.checkpoint, args.json);
        return 0;
      }
      case 'compare': {
        const loaded = await loadChainModel(args, args.command);
        if (typeof loaded === 'number') return loaded;
        printComparison(loaded.spec, loaded.resources.dataset, args.seeds, args.bins, args.json);
        return 0;
      }
      case 'weights':
        return await weights(args);
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
