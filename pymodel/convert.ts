/**
 * "Convert to Model File": a resolved Python model as `*.nn.json` text. The
 * file holds the same model-file tree the Python code resolved to, so it
 * decodes to the same `ModelSpec`.
 */
import { toPlain } from '../engine/model/located';
import type { PythonModel } from './resolve';

export function toModelFileJson(model: PythonModel, sourceName: string): string {
  const plain = toPlain(model.result.tree!) as Record<string, unknown>;
  const { version, name, ...rest } = plain;
  const ordered = { version, name, description: `Converted by Weightscope from ${model.name} in ${sourceName}.`, ...rest };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
