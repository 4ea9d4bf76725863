import * as vscode from 'vscode';
import {
  encodeRunMeta, parseRun, parseRunMeta, parseSteps, RUN_META_FILE, runData, stepsSegmentIndex, stepsSegmentName, thinnedSteps, type ParsedSteps, type RunData, type RunMeta,
} from '../../engine/run/format';
import { compareRuns, isPlainRunId } from '../../engine/run/runId';
import type { RunStep } from '../../engine/run/types';
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
        out.push({ meta: meta.id === name ? meta : { ...meta, id: name }, uri: uri.toString() });
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

  /** A run with at most about `maxSteps` of its steps (readRunFolderThinned), for a panel to draw. */
  async readThinned(id: string, maxSteps: number): Promise<RunData> {
    const data = await readRunFolderThinned(this.uriOf(id), maxSteps);
    for (const w of data.warnings) this.ctx.log.warn(`runs: ${id}: ${w}`);
    return data;
  }

  async create(meta: RunMeta): Promise<RunWriter> {
    const dir = this.uriOf(meta.id);
    await vscode.workspace.fs.createDirectory(dir);
    const writer = new RunWriter(dir, meta);
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
 * writes): run.json and every steps segment in order, through the format's reader.
 */
export async function readRunFolder(dir: vscode.Uri): Promise<RunData> {
  const meta = await readText(vscode.Uri.joinPath(dir, RUN_META_FILE));
  const segments = await segmentsOf(dir);
  const texts = await Promise.all(segments.map((name) => readText(vscode.Uri.joinPath(dir, name))));
  return parseRun(meta, texts);
}

/**
 * A run folder read for drawing: its meta, every snapshot, and at most about
 * `maxSteps` of its steps, evenly spaced (every k-th, the first ten and the
 * last). The segments are read one after another and the steps that are
 * not kept are never parsed, so a run of 100,000 steps (hundreds of MB)
 * costs the extension host one segment's text and the kept records, not the
 * whole run in memory.
 */
export async function readRunFolderThinned(dir: vscode.Uri, maxSteps: number): Promise<RunData> {
  const meta = parseRunMeta(await readText(vscode.Uri.joinPath(dir, RUN_META_FILE)));
  const keep = thinnedSteps(meta, maxSteps);
  const segments = await segmentsOf(dir);
  const parsed: ParsedSteps = { steps: [], snapshots: [], warnings: [] };
  for (const [i, name] of segments.entries()) {
    parseSteps(await readText(vscode.Uri.joinPath(dir, name)), { keep, into: parsed, endOfRun: i === segments.length - 1 });
  }
  return runData(meta, parsed);
}

/**
 * One step's record of a run folder without reading the whole run: a binary
 * search over the segments by their first step (each segment is at most
 * ~512 KB).
 */
export async function readStepOf(dir: vscode.Uri, step: number): Promise<RunStep | undefined> {
  const segments = await segmentsOf(dir);
  const texts = new Map<number, string>();
  const text = async (i: number): Promise<string> => {
    let t = texts.get(i);
    if (t === undefined) texts.set(i, (t = await readText(vscode.Uri.joinPath(dir, segments[i]!))));
    return t;
  };
  // The last segment whose first step is ≤ step.
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    const first = firstStepOf(await text(mid));
    if (first !== undefined && first <= step) lo = mid;
    else hi = mid - 1;
  }
  if (segments.length === 0) return undefined;
  return parseSteps(await text(lo)).steps.find((x) => x.step === step);
}

/** The names of a run folder's step segments, in order. */
async function segmentsOf(dir: vscode.Uri): Promise<string[]> {
  return (await vscode.workspace.fs.readDirectory(dir))
    .map(([name]) => ({ name, k: stepsSegmentIndex(name) }))
    .filter((s) => s.k >= 0)
    .sort((a, b) => a.k - b.k)
    .map((s) => s.name);
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

/** The step number of the first step record in a segment's text. */
function firstStepOf(text: string): number | undefined {
  const m = /"type":"step"[^\n]*?"step":(\d+)|"step":(\d+)[^\n]*?"type":"step"/.exec(text);
  return m ? Number(m[1] ?? m[2]) : undefined;
}
