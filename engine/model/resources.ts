/**
 * Loads what a model file points at — its data (CSV, NPY) and its initial
 * weights (safetensors, NPY) — and checks them against the model, reporting
 * each problem as a diagnostic on the key that names the file.
 *
 * The engine never touches a file system: the caller passes `readFile`
 * (the extension reads through `vscode.workspace.fs`, so virtual workspaces
 * work; the CLI reads with `fs`). Paths are relative to the model file.
 */
import type { Dataset } from '../data/dataset';
import { syntheticDataset } from '../data/synthetic';
import { PathRefused } from '../io/confine';
import { IoError, readCsvDataset, readNpy, readNpyDataset, readNpyExtraInput, readSafetensors, type LoadedArray } from '../io';
import type { DType } from '../tensor/dtype';
import { defaultDataset, outputWidth } from '../train/defaults';
import type { ModelDiagnostic } from './diagnostic';
import { nodeAt, type Located } from './located';
import { isGraphModel, isRunnableModel, type ModelSpec, type RunnableModelSpec } from './spec';
import { characterDataset } from '../data/sequences';
import { graphDataMismatch, withExtraInputs } from '../graph/data';
import { parameterShapes } from './moduleTree';

export type ReadFile = (relativePath: string) => Promise<Uint8Array>;

/**
 * Every file the model points at (data, then initial weights), relative to
 * the model file: what a caller must be able to read for loadModelResources.
 */
export function resourcePaths(spec: ModelSpec): string[] {
  const paths: string[] = [];
  const data = spec.data;
  if (data?.kind === 'csv') paths.push(data.path);
  if (data?.kind === 'npy') paths.push(data.inputs, data.targets, ...Object.values(data.extra ?? {}));
  if (data?.kind === 'text') paths.push(data.path);
  const from = spec.initFrom;
  if (from?.kind === 'safetensors') paths.push(from.path);
  if (from?.kind === 'npy') paths.push(...Object.values(from.files));
  return [...new Set(paths)];
}

export interface ModelResources {
  /** The model's data (its default synthetic task when it names none); absent when the engine cannot run the model. */
  dataset?: Dataset;
  /** Initial values by `state_dict` name, when the file has `init_from`. */
  checkpoint?: Map<string, LoadedArray>;
  diagnostics: ModelDiagnostic[];
}

export async function loadModelResources(spec: ModelSpec, tree: Located | undefined, readFile: ReadFile, dtype: DType = 'float32'): Promise<ModelResources> {
  const diagnostics: ModelDiagnostic[] = [];
  const rangeOf = (path: (string | number)[]): { start: number; end: number } =>
    nodeAt(tree, path)?.range ?? nodeAt(tree, path.slice(0, 1))?.range ?? { start: 0, end: 0 };
  const fail = (code: string, message: string, path: (string | number)[]): void => {
    diagnostics.push({ severity: 'error', code, message, range: rangeOf(path) });
  };
  const read = async (path: string, at: (string | number)[]): Promise<Uint8Array | undefined> => {
    try {
      return await readFile(path);
    } catch (err) {
      // A refused path (outside the allowed folders, not a regular file, too large) says so in its own words.
      if (err instanceof PathRefused) fail(err.code, err.message, at);
      else fail('missing-file', `Cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, at);
      return undefined;
    }
  };

  // Data feeds the forward pass; a model the engine cannot run yet is only inspected, so its data is not read.
  let dataset: Dataset | undefined;
  if (isRunnableModel(spec)) {
    try {
      dataset = await loadDataset(spec, read, dtype);
    } catch (err) {
      if (!(err instanceof IoError)) throw err;
      fail('bad-data-file', err.message, ['data']);
    }
    // forward's further inputs the data does not give: their synthetic defaults, or a message naming the input.
    if (dataset && isGraphModel(spec)) {
      try {
        dataset = withExtraInputs(spec, dataset, dtype);
      } catch (err) {
        fail('data-shape', err instanceof Error ? err.message : String(err), ['data']);
      }
    }
    if (dataset) checkDataset(spec, dataset, (message) => fail('data-shape', message, ['data']));
  }

  let checkpoint: Map<string, LoadedArray> | undefined;
  if (spec.initFrom) {
    try {
      checkpoint = await loadCheckpoint(spec, read);
    } catch (err) {
      if (!(err instanceof IoError)) throw err;
      fail('bad-checkpoint-file', err.message, ['init_from']);
    }
    if (checkpoint) for (const message of checkpointMismatches(spec, checkpoint)) fail('checkpoint-mismatch', message, ['init_from']);
  }
  const result: ModelResources = { diagnostics };
  if (isRunnableModel(spec)) result.dataset = dataset ?? defaultDataset(spec, dtype);
  if (checkpoint && diagnostics.every((d) => d.code !== 'checkpoint-mismatch' && d.code !== 'bad-checkpoint-file')) result.checkpoint = checkpoint;
  return result;
}

async function loadDataset(spec: RunnableModelSpec, read: (path: string, at: (string | number)[]) => Promise<Uint8Array | undefined>, dtype: DType): Promise<Dataset | undefined> {
  const data = spec.data;
  if (!data) return defaultDataset(spec, dtype);
  switch (data.kind) {
    case 'text': {
      const bytes = await read(data.path, ['data', 'text']);
      if (!bytes) return undefined;
      try {
        return characterDataset(new TextDecoder().decode(bytes), data.blockSize, data.path, dtype);
      } catch (err) {
        throw new IoError(data.path, err instanceof Error ? err.message : String(err));
      }
    }
    case 'synthetic':
      if (isGraphModel(spec)) return defaultDataset(spec, dtype);
      return syntheticDataset({ task: data.task, count: data.examples, inputDim: spec.inputFeatures, outputDim: outputWidth(spec), noise: data.noise, seed: spec.seed, dtype });
    case 'csv': {
      const bytes = await read(data.path, ['data', 'csv']);
      if (!bytes) return undefined;
      const text = new TextDecoder().decode(bytes);
      return readCsvDataset(text, data.path, { target: data.target, ...(data.features ? { features: data.features } : {}), task: data.task, dtype, inputFeatures: spec.inputFeatures });
    }
    case 'npy': {
      const [x, y] = await Promise.all([read(data.inputs, ['data', 'npy', 'inputs']), read(data.targets, ['data', 'npy', 'targets'])]);
      if (!x || !y) return undefined;
      const dataset = readNpyDataset(readNpy(x, data.inputs), readNpy(y, data.targets), data.task, { dtype, inputsFile: data.inputs, targetsFile: data.targets });
      const extra = Object.entries(data.extra ?? {});
      if (extra.length === 0) return dataset;
      const arrays = await Promise.all(extra.map(([name, path]) => read(path, ['data', 'npy', name])));
      if (arrays.some((a) => !a)) return undefined;
      return { ...dataset, extraInputs: Object.fromEntries(extra.map(([name, path], i) => [name, readNpyExtraInput(readNpy(arrays[i]!, path), dataset.count, path, dtype)])) };
    }
  }
}

/** The data's width must match the model's input, and its targets the model's output. */
function checkDataset(spec: RunnableModelSpec, dataset: Dataset, fail: (message: string) => void): void {
  if (isGraphModel(spec)) {
    const mismatch = graphDataMismatch(spec, dataset);
    if (mismatch) fail(`The data does not fit ${spec.name}: ${mismatch}.`);
    return;
  }
  if (dataset.inputDim !== spec.inputFeatures) {
    fail(`The data has ${dataset.inputDim} feature${dataset.inputDim === 1 ? '' : 's'} per example, but the model's input is ${spec.inputFeatures}.`);
  }
  const out = outputWidth(spec);
  const t = dataset.targets;
  if (t.kind === 'values' && t.dim !== out) fail(`The data has ${t.dim} target value${t.dim === 1 ? '' : 's'} per example, but the model outputs ${out}.`);
  if (t.kind === 'classes' && t.classes > out) fail(`The data has ${t.classes} classes, but the model outputs ${out} logits.`);
}

async function loadCheckpoint(spec: ModelSpec, read: (path: string, at: (string | number)[]) => Promise<Uint8Array | undefined>): Promise<Map<string, LoadedArray> | undefined> {
  const from = spec.initFrom!;
  if (from.kind === 'safetensors') {
    const bytes = await read(from.path, ['init_from']);
    return bytes ? readSafetensors(bytes, from.path) : undefined;
  }
  const out = new Map<string, LoadedArray>();
  for (const [name, path] of Object.entries(from.files)) {
    const bytes = await read(path, ['init_from', 'npy', name]);
    if (!bytes) return undefined;
    out.set(name, readNpy(bytes, path));
  }
  return out;
}

/** torch's `load_state_dict(strict=True)` checks, in its words. */
export function checkpointMismatches(spec: ModelSpec, checkpoint: Map<string, LoadedArray>): string[] {
  const problems: string[] = [];
  const params = parameterShapes(spec);
  const missing = params.filter((p) => !checkpoint.has(p.name)).map((p) => p.name);
  const known = new Set(params.map((p) => p.name));
  const unexpected = [...checkpoint.keys()].filter((k) => !known.has(k));
  if (missing.length) problems.push(`Missing key(s) in state_dict: ${missing.map((m) => `"${m}"`).join(', ')}.`);
  if (unexpected.length) problems.push(`Unexpected key(s) in state_dict: ${unexpected.map((m) => `"${m}"`).join(', ')}.`);
  for (const p of params) {
    const t = checkpoint.get(p.name);
    if (t && (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i]))) {
      problems.push(`size mismatch for ${p.name}: copying a param with shape [${t.shape.join(', ')}] from checkpoint, the shape in current model is [${p.shape.join(', ')}].`);
    }
  }
  return problems;
}
