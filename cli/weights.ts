/**
 * `weightscope weights <checkpoint>`: every tensor of a checkpoint with its
 * dtype, shape and statistics, summarized one tensor at a time.
 */
import path from 'node:path';
import { openCheckpoint, summarizeTensor, type Checkpoint, type TensorSummary } from '../engine/checkpoint';
import { confinedOpener, confinementRoot, openRandomAccess } from './checkpointFiles';

export interface WeightsReport {
  file: string;
  format: Checkpoint['format'];
  nesting: string[];
  strippedPrefix?: string;
  otherKeys: string[];
  metadata: Record<string, string>;
  /** Elements of all tensors, a tied tensor (the very same tensor under two names) once, as torch's parameters() counts. */
  parameterCount: number;
  tensors: TensorSummary[];
}

export async function weightsReport(file: string, bins: number): Promise<WeightsReport> {
  let opened;
  try {
    opened = await openRandomAccess(file, path.basename(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code ?? String(error)}`);
  }
  const checkpoint = await openCheckpoint(opened, confinedOpener(file, confinementRoot(file)));
  try {
    const tensors: TensorSummary[] = [];
    for (const t of checkpoint.tensors) tensors.push(await summarizeTensor(t, { bins }));
    const parameterCount = checkpoint.tensors.reduce((n, t) => n + (t.identicalTo === undefined ? t.numel : 0), 0);
    return {
      file, format: checkpoint.format, nesting: checkpoint.nesting, otherKeys: checkpoint.otherKeys, metadata: checkpoint.metadata, parameterCount, tensors,
      ...(checkpoint.strippedPrefix ? { strippedPrefix: checkpoint.strippedPrefix } : {}),
    };
  } finally {
    await checkpoint.close();
  }
}

const FORMAT_NAMES: Record<Checkpoint['format'], string> = {
  safetensors: 'safetensors',
  'safetensors-sharded': 'sharded safetensors',
  'torch-zip': 'torch.save archive',
  npz: 'NumPy .npz',
};

function fmt(x: number | null): string {
  if (x === null) return '—';
  // Integers (counts, int tensors' extremes) in full while they read well; everything else to 4 digits.
  if (Number.isInteger(x) && Math.abs(x) < 1e12) return String(x);
  return Number.isFinite(x) ? x.toPrecision(4) : String(x);
}

/** The report as text: a heading, then one row per tensor. */
export function weightsLines(report: WeightsReport): { heading: string[]; header: string[]; rows: string[][] } {
  const heading = [`${report.file}: ${FORMAT_NAMES[report.format]}, ${report.tensors.length} tensors, ${report.parameterCount.toLocaleString('en-US')} elements`];
  if (report.nesting.length > 0) heading.push(`weights found under ${report.nesting.map((k) => `['${k}']`).join('')}${report.otherKeys.length ? `; also in the file: ${report.otherKeys.join(', ')}` : ''}`);
  if (report.strippedPrefix) heading.push(`the prefix '${report.strippedPrefix}' was removed from every name`);
  const rows = report.tensors.map((t) => [
    t.name, t.dtype, `[${t.shape.join(', ')}]`, String(t.numel), fmt(t.mean), fmt(t.std), fmt(t.min), fmt(t.max), fmt(t.l2Norm),
    `${(100 * t.zeroFraction).toFixed(1)}%`,
    [t.nonFinite ? `${t.nonFinite} non-finite` : '', t.identicalTo ? `tied to ${t.identicalTo}` : t.sharesStorageWith ? `shares storage with ${t.sharesStorageWith}` : ''].filter(Boolean).join('; '),
  ]);
  return { heading, header: ['tensor', 'dtype', 'shape', 'numel', 'mean', 'std', 'min', 'max', 'L2 norm', 'zeros', 'note'], rows };
}
