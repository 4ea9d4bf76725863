/**
 * Checkpoints in the worker: the checkpoint editor's file read and
 * summarized a tensor at a time (positional reads of the file on disk, or
 * bytes the extension read through VS Code's file system), with progress
 * after each tensor and a cancel request let in at least every `YIELD_MS`.
 */
import { bytesFile, checkpointDrift, compareWithModel, modelMismatches, openCheckpoint, ReportCancelled, summarizeCheckpoint, type Checkpoint, type OpenRelative } from '../engine/checkpoint';
import type { CheckpointReport, DriftReport } from '../engine/checkpoint/report';
import { CANCELLED_IN_WORKER, type CheckpointDriftParams, type CheckpointModelMatch, type CheckpointModelsParams, type CheckpointProgress, type CheckpointSource, type ReadCheckpointParams } from '../protocol/messages';
import { confinedOpener, openRandomAccess } from '../host/checkpointFiles';
import type { HandlerContext } from './handlers';

const YIELD_MS = 100;

class CheckpointCancelled extends Error {
  override name = CANCELLED_IN_WORKER;
}

async function open(source: CheckpointSource): Promise<Checkpoint> {
  if ('bytes' in source) {
    // Shards of a sharded index cannot be found next to bytes in memory.
    const noShards: OpenRelative = async (relative) => {
      throw new Error(`cannot open ${relative}: the shards of a sharded checkpoint are read from local folders only`);
    };
    return openCheckpoint(bytesFile(source.name, source.bytes), noShards);
  }
  let file;
  try {
    file = await openRandomAccess(source.path, source.name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`cannot read ${source.name}: ${code === 'ENOENT' ? 'no such file' : code ?? String(error)}`);
  }
  return openCheckpoint(file, confinedOpener(source.path, source.root));
}

/** The report's options for progress and cancellation through the handler's context. */
function pacing(ctx: HandlerContext<CheckpointProgress>) {
  let lastYield = performance.now();
  return {
    cancelled: () => ctx.cancelled(),
    onTensor: async (done: number, total: number, name: string) => {
      if (performance.now() - lastYield < YIELD_MS && done < total) return;
      ctx.progress({ done, total, name });
      await ctx.yieldToEvents();
      lastYield = performance.now();
    },
  };
}

async function cancellable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ReportCancelled) throw new CheckpointCancelled(error.message);
    throw error;
  }
}

export async function readCheckpoint(params: ReadCheckpointParams, ctx: HandlerContext<CheckpointProgress>): Promise<CheckpointReport> {
  const checkpoint = await open(params.file);
  try {
    return await cancellable(() => summarizeCheckpoint(checkpoint, params.file.name, { bins: params.bins, ...pacing(ctx) }));
  } finally {
    await checkpoint.close();
  }
}

export async function readCheckpointDrift(params: CheckpointDriftParams, ctx: HandlerContext<CheckpointProgress>): Promise<DriftReport> {
  const current = await open(params.file);
  try {
    const initial = await open(params.initial);
    try {
      return await cancellable(() => checkpointDrift(current, initial, params.initial.name, { bins: params.bins, ...pacing(ctx) }));
    } finally {
      await initial.close();
    }
  } finally {
    await current.close();
  }
}

/** Which candidate models the checkpoint is a state_dict of, each match with its tensors against their initializers. */
export function checkpointModels(params: CheckpointModelsParams): CheckpointModelMatch[] {
  return params.models.map(({ uri, name, spec }) => {
    const problems = modelMismatches(params.tensors, spec);
    return { uri, name, problems, ...(problems.length === 0 ? { comparison: compareWithModel(params.tensors, spec) } : {}) };
  });
}
