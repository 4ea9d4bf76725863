/**
 * "Convert to Model File": a resolved Python model as `*.nn.json` text. The
 * file holds the same model-file tree the Python code resolved to, so it
 * decodes to the same `ModelSpec`.
 */
import { toPlain } from '../engine/model/located';
import { layerJson, moduleTreeJson } from '../engine/model/treeJson';
import type { PythonModel } from './resolve';

export function toModelFileJson(model: PythonModel, sourceName: string): string {
  const plain = toPlain(model.result.tree!) as Record<string, unknown>;
  const { version, name, ...rest } = plain;
  // A module tree the Python reader built (not a chain of layers): written in the nested format.
  const modules = model.result.spec?.modules;
  const spec = model.result.spec;
  // A chain read from the code (not from the chain reader's located layers) is written from the spec.
  const tree = modules ? moduleTreeJson(modules, spec?.ties ?? []) : spec?.layers && !('layers' in plain) ? { input: spec.inputFeatures, layers: spec.layers.map(layerJson) } : {};
  const ordered = { version, name, description: `Converted by Weightscope from ${model.name} in ${sourceName}.`, ...tree, ...rest };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
