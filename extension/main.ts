import * as vscode from 'vscode';
import { ModelCodeLensProvider } from './codeLens';
import { registerCommands } from './commands';
import { Config } from './config';
import { Ctx } from './ctx';
import { InspectorPanels } from './inspector/inspectorPanels';
import { CheckpointEditorProvider } from './checkpoint/checkpointEditor';
import { OverviewViewProvider } from './sidebar/overviewView';
import { ModelHoverProvider } from './hover';
import { ModelQuickFixProvider } from './quickFixes';
import { PythonCodeLensProvider, PythonHoverProvider } from './pythonProviders';
import { Trainings } from './training';
import { RunStore } from './runs/runStore';
import { TrainingPanels } from './trainingPanel/trainingPanels';
import { WorkspaceModels } from './workspaceModels';

const MODEL_SELECTOR: vscode.DocumentSelector = [{ pattern: '**/*.nn.{json,yaml,yml}' }];
/** Python files on disk or in virtual workspaces (not untitled buffers or notebooks' cells). */
const PYTHON_SELECTOR: vscode.DocumentFilter[] = [{ language: 'python', scheme: 'file' }, { language: 'python', scheme: 'vscode-vfs' }, { pattern: '**/*.py' }];
/** Python cells of Jupyter notebooks: a notebook's code cells are read together as one file. */
const NOTEBOOK_CELL_SELECTOR: vscode.DocumentFilter = { language: 'python', notebookType: 'jupyter-notebook' };

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): void {
  ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  const inspectors = new InspectorPanels(ctx);
  const runs = new RunStore(ctx);
  const trainingPanels = new TrainingPanels(ctx, runs);
  const trainings = new Trainings(ctx, runs, trainingPanels);
  const codeLens = new ModelCodeLensProvider(ctx.config, ctx.models);
  const pythonCodeLens = new PythonCodeLensProvider(ctx.config, ctx.models);
  ctx.push(
    inspectors,
    runs,
    trainingPanels,
    trainings,
    codeLens,
    new OverviewViewProvider(ctx, runs),
    new WorkspaceModels(),
    CheckpointEditorProvider.register(ctx),
    vscode.languages.registerCodeLensProvider(MODEL_SELECTOR, codeLens),
    vscode.languages.registerHoverProvider(MODEL_SELECTOR, new ModelHoverProvider(ctx.models)),
    vscode.languages.registerCodeActionsProvider(MODEL_SELECTOR, new ModelQuickFixProvider(ctx.models), ModelQuickFixProvider.metadata),
    pythonCodeLens,
    vscode.languages.registerCodeLensProvider([...PYTHON_SELECTOR, NOTEBOOK_CELL_SELECTOR], pythonCodeLens),
    vscode.languages.registerHoverProvider(PYTHON_SELECTOR, new PythonHoverProvider(ctx.models)),
    vscode.languages.registerCodeActionsProvider(PYTHON_SELECTOR, new ModelQuickFixProvider(ctx.models), ModelQuickFixProvider.metadata),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (Config.affects(e, 'codeLens')) {
        codeLens.refresh();
        pythonCodeLens.refresh();
      }
    }),
  );
  registerCommands(ctx, { inspectors, trainings, trainingPanels, runs });
  trainingPanels.actions = {
    train: (uri) => vscode.commands.executeCommand('weightscope.train', uri),
    compare: (uri) => vscode.commands.executeCommand('weightscope.compareOptimizers', uri),
    stop: (uri) => trainings.stop(uri),
    exportRun: (runId, format) => vscode.commands.executeCommand('weightscope.exportRun', runId, format),
    liveRuns: (uri) => trainings.liveRuns(uri),
  };
  runs.onDidChange(() => trainingPanels.refreshAll(), undefined, context.subscriptions);
  ctx.log.info(`Weightscope ${context.extension.packageJSON.version as string} activated`);
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
