/**
 * Checkpoint files read without Python: safetensors (single and sharded),
 * PyTorch's zip format (`torch.save` ≥ 1.6, through a restricted unpickler
 * that runs nothing) and NumPy's `.npz`. A file is recognized by its first
 * bytes, not its name (a `pytorch_model.bin` is a torch zip, a `.ckpt` too),
 * except a sharded checkpoint's index, which is JSON named `*.index.json`.
 * Tensors are listed when the file is opened and their elements are read
 * later, a chunk at a time, through positional reads the host provides.
 */
import { IoError } from '../io/errors';
import { readNpz } from './npz';
import { readSafetensorsCheckpoint, readShardedSafetensors } from './safetensors';
import { readRange, type OpenRelative, type RandomAccessFile } from './source';
import { isLegacyTorchFile, readTorchZip } from './torchZip';
import type { Checkpoint } from './types';
import { readZipDirectory } from './zip';

export type { Checkpoint, CheckpointFormat, CheckpointTensor } from './types';
export { readTensorValues, DEFAULT_CHUNK_ELEMENTS } from './types';
export { bytesFile, type OpenRelative, type RandomAccessFile } from './source';
export { summarizeTensor, type TensorSummary, type SummaryOptions } from './summary';
export {
  summarizeCheckpoint, modelMismatches, compareWithModel, checkpointDrift, tensorDistance, ReportCancelled,
  type CheckpointReport, type ModelComparison, type TensorInit, type DriftReport, type ReportOptions,
} from './report';

/** Whether a file name looks like a checkpoint the readers open. */
export function isCheckpointName(name: string): boolean {
  return /\.(safetensors|pt|pth|bin|ckpt|npz)$/i.test(name) || /\.safetensors\.index\.json$/i.test(name);
}

/**
 * Opens `file` (and, for a sharded index, its shards through `open`). The
 * returned checkpoint owns the files: call `close()` when done. Throws
 * `IoError` with the reason when the file is not a readable checkpoint.
 */
export async function openCheckpoint(file: RandomAccessFile, open: OpenRelative): Promise<Checkpoint> {
  try {
    if (/\.index\.json$/i.test(file.name)) return await readShardedSafetensors(file, open);
    const head = await readRange(file, 0, Math.min(9, file.size), 'file start');
    if (head[0] === 0x50 && head[1] === 0x4b) {
      const entries = await readZipDirectory(file);
      return entries.some((e) => /(^|\/)data\.pkl$/.test(e.name)) ? await readTorchZip(file, entries) : await readNpz(file, entries);
    }
    // '{' after the 8-byte length; a file named .safetensors gets the safetensors reader's own message.
    if ((head.length >= 9 && head[8] === 0x7b) || /\.safetensors$/i.test(file.name)) return await readSafetensorsCheckpoint(file);
    if (await isLegacyTorchFile(file)) {
      throw new IoError(file.name, 'this is a torch.save file in the format before PyTorch 1.6 (a bare pickle stream), which is not read; re-save it with torch.save from PyTorch ≥ 1.6');
    }
    throw new IoError(file.name, file.size === 0 ? 'file is empty' : 'not a checkpoint Weightscope reads (safetensors, torch.save zip, .npz, or a model.safetensors.index.json)');
  } catch (error) {
    await file.close().catch(() => undefined);
    throw error;
  }
}
