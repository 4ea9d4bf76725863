import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import type { InspectorPanels } from './inspector/inspectorPanels';
import type { Trainings } from './training';
import { isRunFolder, type TrainingPanels } from './trainingPanel/trainingPanels';
import type { RunStore } from './runs/runStore';
import { deleteRun, exportRun, pickRun, renameRun } from './runs/runCommands';
import { isModelUri, MODEL_FILE_GLOB } from './modelDocuments';
import { isPythonUri, pythonModelUri } from './pythonModels';
import { isNotebookUri, NOTEBOOK_CELL_SCHEME } from './notebooks';
import { toModelFileJson, type PythonModel } from '../pymodel';

/** A command factory: given the shared context, returns the command's handler. */
type CommandFactory = (ctx: Ctx, parts: CommandParts) => (...args: any[]) => unknown;

export interface CommandParts {
  inspectors: InspectorPanels;
  trainings: Trainings;
  trainingPanels: TrainingPanels;
  runs: RunStore;
}

/** The model a command applies to: its argument (CodeLens, menus), else the active editor, else ask. */
async function resolveModelUri(ctx: Ctx, arg: unknown, purpose: string): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri && isModelUri(arg)) return arg;
  if (arg instanceof vscode.Uri && (isPythonUri(arg) || isNotebookUri(arg))) return arg.fragment ? arg : pickPythonModel(ctx, arg, purpose);
  const notebook = vscode.window.activeNotebookEditor?.notebook;
  if (notebook && isNotebookUri(notebook.uri) && !vscode.window.activeTextEditor) return pickPythonModel(ctx, notebook.uri, purpose);
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.scheme === NOTEBOOK_CELL_SCHEME && notebook && isNotebookUri(notebook.uri)) return pickPythonModel(ctx, notebook.uri, purpose);
  if (active && isModelUri(active)) return active;
  if (active && isPythonUri(active)) return pickPythonModel(ctx, active, purpose);
  const files = await vscode.workspace.findFiles(MODEL_FILE_GLOB, '**/node_modules/**', 200);
  if (files.length === 0) {
    const choice = await vscode.window.showInformationMessage('Weightscope found no *.nn.json or *.nn.yaml model file in this workspace.', 'New Model from Example');
    if (choice) await vscode.commands.executeCommand('weightscope.newModelFromExample');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title: `Weightscope: pick a model to ${purpose}` },
  );
  ctx.log.debug(`picked model ${picked?.label ?? '(none)'}`);
  return picked?.uri;
}

/** One of a Python file's models: the only one Weightscope can model, or the user's pick. */
async function pickPythonModel(ctx: Ctx, uri: vscode.Uri, purpose: string, needSpec = false): Promise<vscode.Uri | undefined> {
  const model = await pickPythonModelOf(ctx, uri, purpose, needSpec);
  return model ? pythonModelUri(uri, model.name) : undefined;
}

async function pickPythonModelOf(ctx: Ctx, uri: vscode.Uri, purpose: string, needSpec: boolean): Promise<PythonModel | undefined> {
  const { file } = isNotebookUri(uri)
    ? await ctx.models.python.parseNotebook(uri)
    : await ctx.models.python.parse(await vscode.workspace.openTextDocument(uri.with({ fragment: '' })));
  const candidates = file.models.filter((m) => (needSpec ? m.result.spec : m.modelable));
  if (uri.fragment) return candidates.find((m) => m.name === uri.fragment);
  if (candidates.length === 0) {
    const why = file.models.length === 0 ? 'defines no nn.Module class or nn.Sequential model' : `has no model Weightscope can ${purpose}${needSpec ? ' without errors' : ''} (see the Problems panel)`;
    void vscode.window.showInformationMessage(`Weightscope: ${uri.path.split('/').pop()} ${why}.`);
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const picked = await vscode.window.showQuickPick(candidates.map((m) => ({ label: m.name, description: m.kind === 'class' ? 'nn.Module class' : 'nn.Sequential', model: m })), { title: `Weightscope: pick a model to ${purpose}` });
  return picked?.model;
}

/** Writes a Python model's equivalent *.nn.json next to the Python file and opens it. */
const convertToModelFile: CommandFactory = (ctx) => async (arg?: unknown) => {
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri || !isPythonUri(uri)) {
    void vscode.window.showInformationMessage('Weightscope: open a Python file with an nn.Module model to convert it.');
    return;
  }
  const model = await pickPythonModelOf(ctx, uri, 'convert', true);
  if (!model) return;
  const source = uri.path.split('/').pop() ?? 'model.py';
  const target = vscode.Uri.joinPath(uri.with({ fragment: '' }), '..', `${model.name}.nn.json`);
  let exists = false;
  try {
    await vscode.workspace.fs.stat(target);
    exists = true;
  } catch {
    exists = false;
  }
  if (exists) {
    const choice = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(target)} exists. Replace it?`, { modal: true }, 'Replace');
    if (choice !== 'Replace') return;
  }
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(toModelFileJson(model, source)));
  ctx.log.info(`converted ${model.name} from ${uri.toString()} to ${target.toString()}`);
  await vscode.window.showTextDocument(target);
};

const inspectInitialization: CommandFactory = (ctx, { inspectors }) => async (arg?: unknown) => {
  const uri = await resolveModelUri(ctx, arg, 'inspect');
  if (uri) await inspectors.show(uri);
};

const train: CommandFactory = (ctx, { trainings }) => async (arg?: unknown) => {
  const uri = await resolveModelUri(ctx, arg, 'train');
  if (uri) await trainings.train(uri);
};

const compareOptimizers: CommandFactory = (ctx, { trainings }) => async (arg?: unknown) => {
  const uri = await resolveModelUri(ctx, arg, 'compare optimizers on');
  if (uri) await trainings.compare(uri);
};

const openTraining: CommandFactory = (ctx, { trainingPanels }) => async (arg?: unknown) => {
  const uri = await resolveModelUri(ctx, arg, 'show the training of');
  if (uri) trainingPanels.show(uri, false);
};

/** Opens the training panel of a run's model (from the side panel's run list). */
const openRun: CommandFactory = (_ctx, { runs, trainingPanels }) => async (arg?: unknown) => {
  const id = await pickRun(runs, arg, 'open');
  if (!id) return;
  const source = (await runs.list()).find((r) => r.meta.id === id)?.meta.model.source;
  if (!source) throw new Error(`the run ${id} does not name its model file`);
  trainingPanels.show(vscode.Uri.parse(source), false);
};

/** Opens a run folder from anywhere (e.g. one weightscope_probe writes from PyTorch) in a training panel that follows it. */
const openRunFolder: CommandFactory = (_ctx, { trainingPanels }) => async (arg?: unknown) => {
  let folder = arg instanceof vscode.Uri ? arg : typeof arg === 'string' && arg ? vscode.Uri.file(arg) : undefined;
  if (!folder) {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, title: 'Open a Weightscope run folder (with run.json)', openLabel: 'Open Run' });
    folder = picked?.[0];
  }
  if (!folder) return;
  if (!(await isRunFolder(folder))) throw new Error(`${folder.fsPath} is not a run folder: it has no run.json (pick the folder the recorder made inside its log_dir)`);
  trainingPanels.showRunFolder(folder);
};

const renameRunCommand: CommandFactory = (_ctx, { runs }) => async (arg?: unknown) => {
  const id = await pickRun(runs, arg, 'rename');
  if (id) await renameRun(runs, id);
};

const deleteRunCommand: CommandFactory = (_ctx, { runs }) => async (arg?: unknown) => {
  const id = await pickRun(runs, arg, 'delete');
  if (id) await deleteRun(runs, id);
};

const exportRunCommand: CommandFactory = (ctx, { runs }) => async (arg?: unknown, format?: unknown) => {
  const id = await pickRun(runs, arg, 'export');
  if (!id) return;
  const kinds = ['csv', 'json', 'html', 'torch'] as const;
  const chosen = kinds.find((k) => k === format) ?? (await vscode.window.showQuickPick(
    [{ label: 'CSV', k: 'csv' as const }, { label: 'JSON', k: 'json' as const }, { label: 'HTML report', k: 'html' as const }, { label: 'PyTorch script', k: 'torch' as const }],
    { title: 'Export the run as' }))?.k;
  if (chosen) await exportRun(ctx, runs, id, chosen);
};

const stop: CommandFactory = (ctx) => () => {
  const n = ctx.runner.stopAll();
  ctx.log.info(`stop: cancelled ${n} running job(s)`);
  if (n === 0) void vscode.window.showInformationMessage('Weightscope: nothing is running.');
};

const showLog: CommandFactory = (ctx) => () => ctx.log.show();

const newModelFromExample: CommandFactory = (ctx) => async () => {
  const folder = vscode.Uri.joinPath(ctx.extensionUri, 'examples');
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(folder);
  } catch (err) {
    void vscode.window.showErrorMessage(`Weightscope: the bundled examples are missing (${String(err)}).`);
    return;
  }
  const examples = entries.filter(([name]) => /\.nn\.(json|ya?ml)$/.test(name)).map(([name]) => name).sort();
  const items = await Promise.all(examples.map(async (name) => {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, name)));
    return { label: name, detail: /"description"\s*:\s*"([^"]*)"/.exec(text)?.[1] ?? /^description:\s*(.*)$/m.exec(text)?.[1], text };
  }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Weightscope: new model from example', matchOnDetail: true });
  if (!picked) return;
  const workspaceFolder = vscode.workspace.workspaceFolders?.[0];
  if (!workspaceFolder) {
    const doc = await vscode.workspace.openTextDocument({ language: picked.label.endsWith('.json') ? 'json' : 'yaml', content: picked.text });
    await vscode.window.showTextDocument(doc);
    return;
  }
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(workspaceFolder.uri, picked.label), filters: { 'Model files': ['json', 'yaml', 'yml'] }, title: 'Save the new model as' });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(picked.text));
  await vscode.window.showTextDocument(target);
};

const COMMANDS: Record<string, CommandFactory> = {
  'weightscope.inspectInitialization': inspectInitialization,
  'weightscope.openInspector': inspectInitialization,
  'weightscope.train': train,
  'weightscope.compareOptimizers': compareOptimizers,
  'weightscope.openTraining': openTraining,
  'weightscope.openRun': openRun,
  'weightscope.openRunFolder': openRunFolder,
  'weightscope.renameRun': renameRunCommand,
  'weightscope.deleteRun': deleteRunCommand,
  'weightscope.exportRun': exportRunCommand,
  'weightscope.stop': stop,
  'weightscope.showLog': showLog,
  'weightscope.newModelFromExample': newModelFromExample,
  'weightscope.convertToModelFile': convertToModelFile,
};

export function registerCommands(ctx: Ctx, parts: CommandParts): void {
  for (const [id, factory] of Object.entries(COMMANDS)) {
    const handler = factory(ctx, parts);
    ctx.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (err) {
        // A command never takes the extension host down: it reports and logs.
        const message = err instanceof Error ? err.message : String(err);
        ctx.log.error(`command ${id} failed: ${err instanceof Error && err.stack ? err.stack : message}`);
        void vscode.window.showErrorMessage(`Weightscope: ${message}`);
        return undefined;
      }
    }));
  }
}
