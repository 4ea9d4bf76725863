/**
 * Run folders on disk for the CLI (node:fs), in the run format of
 * engine/run/format.ts: run.json replaced atomically (write a temporary file,
 * fsync, rename over it), steps.jsonl only appended to, in batches.
 */
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { encodeRunMeta, parseRun, RUN_META_FILE, RUN_STEPS_FILE, type RunData, type RunMeta } from '../engine/run/format';

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

export class RunFolderWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  private lastFlush = Date.now();

  /**
   * @param flushBytes   flush when this much is buffered
   * @param flushEveryMs flush when the last flush is this old (checked on append)
   */
  constructor(readonly dir: string, private meta: RunMeta, private readonly flushBytes = 64 * 1024, private readonly flushEveryMs = 250) {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(path.join(dir, RUN_META_FILE), encodeRunMeta(meta));
    appendFileSync(path.join(dir, RUN_STEPS_FILE), '');
  }

  append(line: string): void {
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= this.flushBytes || Date.now() - this.lastFlush >= this.flushEveryMs) this.flush();
  }

  flush(): void {
    if (this.pending.length > 0) appendFileSync(path.join(this.dir, RUN_STEPS_FILE), this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
    this.lastFlush = Date.now();
  }

  /** Flush and rewrite run.json with `changes`. */
  update(changes: Partial<RunMeta>): void {
    this.flush();
    this.meta = { ...this.meta, ...changes, updatedAt: new Date().toISOString() };
    writeFileAtomic(path.join(this.dir, RUN_META_FILE), encodeRunMeta(this.meta));
  }
}

export function readRunFolder(dir: string): RunData {
  const meta = readFileSync(path.join(dir, RUN_META_FILE), 'utf8');
  let steps = '';
  try {
    steps = readFileSync(path.join(dir, RUN_STEPS_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return parseRun(meta, steps);
}
