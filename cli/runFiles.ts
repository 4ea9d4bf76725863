/**
 * Run folders on disk for the CLI (node:fs), in the run format of
 * engine/run/format.ts: run.json replaced atomically (write a temporary file,
 * fsync, rename over it), steps.jsonl only appended to, in batches, and
 * read back as a stream of lines (never as one string: a run may be larger
 * than the longest string V8 can make).
 */
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { encodeRunMeta, parseRunMeta, RUN_META_FILE, RUN_STEPS_FILE, runData, type RunData, type RunMeta } from '../engine/run/format';
import { withLiveness, type LivenessProbe } from '../engine/run/liveness';
import { readStepsStream, type StreamOptions } from '../engine/run/runStream';
import { fileSource } from '../host/fileSource';
import { localLiveness, thisWriter } from '../host/processes';

/** Write `text` to `file` so that readers see the old or the new contents, never a mix. */
export function writeFileAtomic(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** Least time between two rewrites of run.json while a run goes on (its stepsDone and updatedAt follow the run). */
export const META_EVERY_MS = 1000;

export class RunFolderWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  private lastFlush = Date.now();
  private lastMeta = Date.now();
  private meta: RunMeta;

  /**
   * @param flushBytes   flush when this much is buffered
   * @param flushEveryMs flush when the last flush is this old (checked on append)
   */
  constructor(readonly dir: string, meta: RunMeta, private readonly flushBytes = 64 * 1024, private readonly flushEveryMs = 250) {
    // While the run goes on, readers on this host can tell from the pid whether it still does.
    this.meta = { ...meta, writer: thisWriter() };
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(path.join(dir, RUN_META_FILE), encodeRunMeta(this.meta));
    appendFileSync(path.join(dir, RUN_STEPS_FILE), '');
  }

  append(line: string): void {
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= this.flushBytes || Date.now() - this.lastFlush >= this.flushEveryMs) this.flush();
  }

  /** Step `step` is written (or pending): about once a second, flush and record it in run.json. */
  stepDone(step: number, changes: Partial<RunMeta> = {}): void {
    if (Date.now() - this.lastMeta < META_EVERY_MS) return;
    this.update({ stepsDone: step, ...changes });
  }

  flush(): void {
    if (this.pending.length > 0) appendFileSync(path.join(this.dir, RUN_STEPS_FILE), this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
    this.lastFlush = Date.now();
  }

  /** Flush and rewrite run.json with `changes` (after the lines, so run.json never runs ahead of them). */
  update(changes: Partial<RunMeta>): void {
    this.flush();
    this.meta = { ...this.meta, ...changes, updatedAt: new Date().toISOString() };
    writeFileAtomic(path.join(this.dir, RUN_META_FILE), encodeRunMeta(this.meta));
    this.lastMeta = Date.now();
  }
}

/**
 * A run folder's meta and records, steps.jsonl read as a stream. A run still
 * "running" whose writer is gone comes back "interrupted" at its last step.
 */
export async function readRunFolder(dir: string, options: StreamOptions = {}, liveness: LivenessProbe = localLiveness()): Promise<RunData> {
  const meta = parseRunMeta(readFileSync(path.join(dir, RUN_META_FILE), 'utf8'));
  let handle: FileHandle | undefined;
  try {
    handle = await open(path.join(dir, RUN_STEPS_FILE), 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    const parsed = await readStepsStream(handle === undefined ? [] : [fileSource(handle, (await handle.stat()).size)], options);
    const data = runData(meta, parsed);
    return { ...data, meta: withLiveness(data.meta, liveness) };
  } finally {
    await handle?.close();
  }
}
