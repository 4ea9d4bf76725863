/**
 * `weightscope weights <checkpoint> [--model file.py[:Name]] [--init initial]`:
 * every tensor of a checkpoint with its dtype, shape and statistics,
 * summarized one tensor at a time; with a model whose `state_dict` the
 * checkpoint is, each tensor's initializer and std now ÷ its theory std;
 * with an initial checkpoint (or the model's `init_from`), each tensor's
 * drift ‖θ − θ₀‖/‖θ₀‖.
 */
import path from 'node:path';
import {
  checkpointDrift, compareWithModel, modelMismatches, openCheckpoint, summarizeCheckpoint,
  type Checkpoint, type CheckpointReport,
} from '../engine/checkpoint';
import type { ModelSpec } from '../engine/model/spec';
import { confinedOpener, confinementRoot, openRandomAccess } from '../host/checkpointFiles';

export type WeightsReport = CheckpointReport;

export interface WeightsOptions {
  bins: number;
  /** The model the checkpoint belongs to (already read), and its file for messages. */
  model?: { spec: ModelSpec; file: string };
  /** An initial checkpoint of the same model. */
  init?: string;
}

async function openFile(file: string): Promise<Checkpoint> {
  let opened;
  try {
    opened = await openRandomAccess(file, path.basename(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code ?? String(error)}`);
  }
  return openCheckpoint(opened, confinedOpener(file, confinementRoot(file)));
}

export async function weightsReport(file: string, options: WeightsOptions | number): Promise<WeightsReport> {
  const { bins, model, init } = typeof options === 'number' ? { bins: options } as WeightsOptions : options;
  const checkpoint = await openFile(file);
  try {
    if (model) {
      const problems = modelMismatches(checkpoint.tensors, model.spec);
      if (problems.length) throw new Error(`${file} is not a state_dict of ${model.spec.name} (${model.file}): ${problems.join(' ')}`);
    }
    const report = await summarizeCheckpoint(checkpoint, file, { bins });
    if (model) report.model = compareWithModel(report.tensors, model.spec);
    const initial = init ?? initFromOf(model);
    if (initial) {
      const start = await openFile(initial);
      try {
        report.drift = await checkpointDrift(checkpoint, start, initial, { bins });
      } finally {
        await start.close();
      }
    }
    return report;
  } finally {
    await checkpoint.close();
  }
}

/** The model's `init_from` safetensors file, relative to the model file. */
function initFromOf(model: WeightsOptions['model']): string | undefined {
  const from = model?.spec.initFrom;
  return from?.kind === 'safetensors' ? path.join(path.dirname(model!.file), from.path) : undefined;
}

const FORMAT_NAMES: Record<Checkpoint['format'], string> = {
  safetensors: 'safetensors',
  'safetensors-sharded': 'sharded safetensors',
  'torch-zip': 'torch.save archive',
  npz: 'NumPy .npz',
};

function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  // Integers (counts, int tensors' extremes) in full while they read well; everything else to 4 digits.
  if (Number.isInteger(x) && Math.abs(x) < 1e12) return String(x);
  return Number.isFinite(x) ? x.toPrecision(4) : String(x);
}

/** The report as text: a heading, then one row per tensor (with the model's and the initial checkpoint's columns when given). */
export function weightsLines(report: WeightsReport): { heading: string[]; header: string[]; rows: string[][] } {
  const heading = [`${report.file}: ${FORMAT_NAMES[report.format]}, ${report.tensors.length} tensors, ${report.parameterCount.toLocaleString('en-US')} elements`];
  if (report.nesting.length > 0) heading.push(`weights found under ${report.nesting.map((k) => `['${k}']`).join('')}${report.otherKeys.length ? `; also in the file: ${report.otherKeys.join(', ')}` : ''}`);
  if (report.strippedPrefix) heading.push(`the prefix '${report.strippedPrefix}' was removed from every name`);
  if (report.model) heading.push(`the state_dict of ${report.model.modelName}: std ratio = std now ÷ the initializer's theory std`);
  if (report.drift) {
    heading.push(`drift = ‖θ − θ₀‖/‖θ₀‖ from ${report.drift.initialFile}`);
    if (report.drift.unmatched.length) heading.push(`not in both files (name and shape): ${report.drift.unmatched.join(', ')}`);
  }
  const model = report.model;
  const drift = report.drift;
  const rows = report.tensors.map((t) => [
    t.name, t.dtype, `[${t.shape.join(', ')}]`, String(t.numel), fmt(t.mean), fmt(t.std), fmt(t.min), fmt(t.max), fmt(t.l2Norm),
    `${(100 * t.zeroFraction).toFixed(1)}%`,
    ...(model ? [model.tensors[t.name]?.initializer ?? '—', fmt(model.tensors[t.name]?.theoryStd), fmt(model.tensors[t.name]?.stdRatio)] : []),
    ...(drift ? [fmt(drift.relative[t.name])] : []),
    [t.nonFinite ? `${t.nonFinite} non-finite` : '', t.identicalTo ? `tied to ${t.identicalTo}` : t.sharesStorageWith ? `shares storage with ${t.sharesStorageWith}` : ''].filter(Boolean).join('; '),
  ]);
  const header = [
    'tensor', 'dtype', 'shape', 'numel', 'mean', 'std', 'min', 'max', 'L2 norm', 'zeros',
    ...(model ? ['initializer', 'theory std', 'std ratio'] : []),
    ...(drift ? ['drift'] : []),
    'note',
  ];
  return { heading, header, rows };
}
