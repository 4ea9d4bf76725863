import * as vscode from 'vscode';
import {
  encodeRunMeta, parseRunMeta, RUN_META_FILE, runData, stepsSegmentName, thinnedSteps, type RunData, type RunMeta,
} from '../../engine/run/format';
import { withLiveness } from '../../engine/run/liveness';
import { compareRuns, isPlainRunId } from '../../engine/run/runId';
import { extendIndex, lookUpStep, readStepsStream, StepIndex, type StepLookup, type StreamOptions } from '../../engine/run/runStream';
import { localLiveness, thisWriter } from '../../host/processes';
import { openSegments } from './runSources';
import type { RunSummary } from '../../protocol/messages';
import type { Ctx } from '../ctx';

/** A segment is closed and the next one started once it passes this size. */
const SEGMENT_BYTES = 512 * 1024;

/**
 * The runs folder, through vscode.workspace.fs (so it works in remote and
 * virtual workspaces too): `weightscope.runs.folder` if set (absolute, or
 * relative to the first workspace folder), else `runs/` in the extension's
 * workspace storage (global storage without a workspace).
 *
 * Writes follow docs/run-format.md: run.json is replaced through a temporary
 * file and a rename; step records go to segments that are each rewritten
 * whole the same way, so a crash loses at most the records since the last
 * flush and never leaves a half-written file.
 */
export class RunStore {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly ctx: Ctx) {}

  get root(): vscode.Uri {
    const setting = this.ctx.config.runsFolder;
    if (setting) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (setting.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(setting) || !folder) return vscode.Uri.file(setting);
      return vscode.Uri.joinPath(folder, setting);
    }
    const context = this.ctx.extensionContext;
    return vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'runs');
  }

  /**
   * A run's folder. Ids arrive from run.json files and webview messages, so
   * one that is not a single plain name (`../../projects`) is refused rather
   * than joined: no read, rename or delete can then leave the runs folder.
   */
  uriOf(id: string): vscode.Uri {
    if (!isPlainRunId(id)) throw new Error(`${JSON.stringify(String(id).slice(0, 80))} is not a run id (a run id is one folder name inside the runs folder)`);
    return vscode.Uri.joinPath(this.root, id);
  }

  /** Every readable run, newest first; unreadable folders are logged and skipped. */
  async list(): Promise<RunSummary[]> {
    let entries: [string, vscode.FileType][];
    try {
      entries = await vscode.workspace.fs.readDirectory(this.root);
    } catch {
      return []; // no runs folder yet
    }
    const out: RunSummary[] = [];
    for (const [name, type] of entries) {
      if (type !== vscode.FileType.Directory) continue;
      try {
        const uri = this.uriOf(name);
        const meta = parseRunMeta(await this.readText(vscode.Uri.joinPath(uri, RUN_META_FILE)));
        // The folder is the run (docs/run-format.md): commands act on the id, so a copied or
        // edited run.json whose id names another folder must not make them act on that one.
        if (meta.id !== name) this.ctx.log.warn(`runs: ${name}: run.json says its id is ${JSON.stringify(meta.id)}; using the folder's name`);
        // A "running" run whose writer is gone is listed as "interrupted" at the last step run.json saw.
        const shown = withLiveness(meta, localLiveness());
        out.push({ meta: shown.id === name ? shown : { ...shown, id: name }, uri: uri.toString() });
      } catch (err) {
        this.ctx.log.warn(`runs: skipped ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return out.sort((a, b) => compareRuns(a.meta, b.meta));
  }

  async read(id: string): Promise<RunData> {
    const data = await readRunFolder(this.uriOf(id));
    for (const w of data.warnings) this.ctx.log.warn(`runs: ${id}: ${w}`);
    return data;
  }

  /** A run with at most about `maxSteps` of its steps (readRunFolderThinned), for a panel to draw; `index` is filled for the scrubber. */
  async readThinned(id: string, maxSteps: number, index?: StepIndex): Promise<RunData> {
    const data = await readRunFolderThinned(this.uriOf(id), maxSteps, index);
    for (const w of data.warnings) this.ctx.log.warn(`runs: ${id}: ${w}`);
    return data;
  }

  async create(meta: RunMeta): Promise<RunWriter> {
    const dir = this.uriOf(meta.id);
    await vscode.workspace.fs.createDirectory(dir);
    // While the run goes on, a reader on this host can tell from the pid whether it still does.
    const writer = new RunWriter(dir, { ...meta, writer: thisWriter() });
    await writer.writeMeta();
    this.changed.fire();
    return writer;
  }

  async updateMeta(id: string, changes: Partial<RunMeta>): Promise<RunMeta> {
    const dir = this.uriOf(id);
    const meta = { ...parseRunMeta(await this.readText(vscode.Uri.joinPath(dir, RUN_META_FILE))), ...changes, updatedAt: new Date().toISOString() };
    await writeAtomic(vscode.Uri.joinPath(dir, RUN_META_FILE), encodeRunMeta(meta));
    this.changed.fire();
    return meta;
  }

  async delete(id: string): Promise<void> {
    await vscode.workspace.fs.delete(this.uriOf(id), { recursive: true, useTrash: false });
    this.changed.fire();
  }

  notifyChanged(): void {
    this.changed.fire();
  }

  private readText(uri: vscode.Uri): Promise<string> {
    return readText(uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** One run being written: records are buffered and flushed by the caller (at most a few times a second). */
export class RunWriter {
  private segment = 0;
  private segmentText = '';
  private pending = '';
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly dir: vscode.Uri, private meta: RunMeta) {}

  get id(): string {
    return this.meta.id;
  }

  get current(): RunMeta {
    return this.meta;
  }

  append(lines: string): void {
    this.pending += lines;
  }

  /** Write what is pending (calls are serialized: each waits for the previous write). */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.pending === '') return;
      this.segmentText += this.pending;
      this.pending = '';
      await writeAtomic(vscode.Uri.joinPath(this.dir, stepsSegmentName(this.segment)), this.segmentText);
      if (this.segmentText.length >= SEGMENT_BYTES) {
        this.segment++;
        this.segmentText = '';
      }
    });
    return this.writing;
  }

  async update(changes: Partial<RunMeta>): Promise<void> {
    await this.flush();
    this.meta = { ...this.meta, ...changes, updatedAt: new Date().toISOString() };
    await this.writeMeta();
  }

  writeMeta(): Promise<void> {
    this.writing = this.writing.then(() => writeAtomic(vscode.Uri.joinPath(this.dir, RUN_META_FILE), encodeRunMeta(this.meta)));
    return this.writing;
  }
}

/**
 * A run folder anywhere (the runs folder, or one a PyTorch-side recorder
 * writes): run.json and every steps segment in order, read as a stream of
 * lines. A run still "running" whose writer is gone comes back "interrupted".
 */
export async function readRunFolder(dir: vscode.Uri): Promise<RunData> {
  return readRun(dir, {});
}

/**
 * A run folder read for drawing: its meta, every snapshot, and at most about
 * `maxSteps` of its step records and as many of its loss lines, evenly
 * spaced (the first record in each stretch of steps, the first ten and the
 * last). Lines that are not kept are never decoded past their first bytes,
 * so a run of any size costs a chunk of bytes at a time and the kept records.
 * `index` is filled with where every record is, for the scrubber.
 */
export async function readRunFolderThinned(dir: vscode.Uri, maxSteps: number, index?: StepIndex): Promise<RunData> {
  const meta = parseRunMeta(await readText(vscode.Uri.joinPath(dir, RUN_META_FILE)));
  return readRun(dir, { keep: thinnedSteps(meta, maxSteps), keepLoss: thinnedSteps(meta, maxSteps), ...(index ? { index } : {}) }, meta);
}

async function readRun(dir: vscode.Uri, options: StreamOptions, known?: RunMeta): Promise<RunData> {
  const meta = known ?? parseRunMeta(await readText(vscode.Uri.joinPath(dir, RUN_META_FILE)));
  const segments = await openSegments(dir);
  try {
    const data = runData(meta, await readStepsStream(segments.sources, options));
    return { ...data, meta: withLiveness(data.meta, localLiveness()) };
  } finally {
    await segments.close();
  }
}

/**
 * The scrubber's reads: one step of a run folder through an index of where
 * each record is (one line read per step, whatever the run's size). An
 * index is kept per folder and built by one pass over the run's lines (or
 * handed over by the read that drew the run); while the files only grow (a
 * live run) it is extended by the lines added since, and rebuilt otherwise.
 */
export class StepLookups {
  private readonly indexes = new Map<string, StepIndex>();

  remember(dir: vscode.Uri, index: StepIndex): void {
    this.indexes.set(dir.toString(), index);
  }

  forget(dir: vscode.Uri): void {
    this.indexes.delete(dir.toString());
  }

  async lookUp(dir: vscode.Uri, step: number): Promise<StepLookup> {
    const segments = await openSegments(dir);
    try {
      let index = this.indexes.get(dir.toString());
      const sizes = segments.sources.map((s) => s.size);
      const grewOnly = index !== undefined && index.sizes.every((size, k) => (sizes[k] ?? -1) >= size);
      if (!index || !grewOnly) {
        index = new StepIndex();
        await readStepsStream(segments.sources, { index, keep: () => false, keepLoss: () => false });
        this.indexes.set(dir.toString(), index);
      } else if (step > index.lastStep) {
        await extendIndex(segments.sources, index); // a live run: only the lines it added since are read
      }
      return await lookUpStep(segments.sources, index, step);
    } finally {
      await segments.close();
    }
  }
}

async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

/** Write through a temporary file and a rename, so readers see the old or the new file, never a part. */
async function writeAtomic(uri: vscode.Uri, text: string): Promise<void> {
  const temporary = uri.with({ path: `${uri.path}.tmp` });
  await vscode.workspace.fs.writeFile(temporary, new TextEncoder().encode(text));
  await vscode.workspace.fs.rename(temporary, uri, { overwrite: true });
}
