import * as vscode from 'vscode';
import type { ModelSpec } from '../../engine/model/spec';
import type { Ctx } from '../ctx';
import { parseModelFile } from '../../engine/model';
import { MODEL_FILE_GLOB } from '../modelDocuments';
import { pythonModelUri } from '../pythonModels';

/** Folders that hold other people's code, not the workspace's models. */
const EXCLUDE = '**/{node_modules,.git,.venv,venv,env,site-packages,dist,build,__pycache__}/**';
/** At most this many Python files are read when looking for a checkpoint's model. */
const MAX_PYTHON_FILES = 200;
/** Files larger than this are not model definitions worth parsing for the match. */
const MAX_FILE_BYTES = 1024 * 1024;

export interface CandidateModel {
  uri: string;
  name: string;
  spec: ModelSpec;
}

/**
 * Every model of the workspace Weightscope can read: each `*.nn.json/yaml`
 * file's, and each model class or `nn.Sequential` of the Python files that
 * mention `nn.Module` or `Sequential` (parsed, never run). The checkpoint
 * editor asks the engine which of them the checkpoint is a state_dict of.
 */
export async function candidateModels(ctx: Ctx, token: vscode.CancellationToken): Promise<CandidateModel[]> {
  const out: CandidateModel[] = [];
  // Read as text, not opened as documents: nothing is published for files the user did not open.
  const read = async (uri: vscode.Uri): Promise<string | undefined> => {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return open.getText();
    const stat = await vscode.workspace.fs.stat(uri);
    return stat.size > MAX_FILE_BYTES ? undefined : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  };
  for (const uri of await vscode.workspace.findFiles(MODEL_FILE_GLOB, EXCLUDE, 100, token)) {
    if (token.isCancellationRequested) return out;
    try {
      const text = await read(uri);
      const spec = text === undefined ? undefined : parseModelFile(uri.path, text, { maxParameters: ctx.config.maxParameters }).spec;
      if (spec) out.push({ uri: uri.toString(), name: spec.name, spec });
    } catch (error) {
      ctx.log.debug(`checkpoint: ${uri.toString()} not read as a model: ${String(error)}`);
    }
  }
  for (const uri of await vscode.workspace.findFiles('**/*.py', EXCLUDE, MAX_PYTHON_FILES, token)) {
    if (token.isCancellationRequested) return out;
    try {
      const text = await read(uri);
      if (text === undefined || !/nn\.Module|Sequential/.test(text)) continue;
      const file = await ctx.models.python.parseText(uri, text);
      for (const m of file.models) {
        if (m.modelable && m.result.spec) out.push({ uri: pythonModelUri(uri, m.name).toString(), name: m.name, spec: m.result.spec });
      }
    } catch (error) {
      ctx.log.debug(`checkpoint: ${uri.toString()} not read as a model: ${String(error)}`);
    }
  }
  return out;
}
