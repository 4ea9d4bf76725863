/**
 * Reading a run's steps.jsonl (and its segments) as a stream of lines, of
 * any size, and an index from step to byte offset.
 *
 * A whole file is never one string: V8 cannot make a string longer than
 * about 512 MB (a 629 MB steps.jsonl failed with "Cannot create a string
 * longer than…"), and parsing all of it to show one step cost seconds. The
 * bytes are read in chunks, split at "\n", and each line is decoded on its
 * own, and only when it is needed: a line's first bytes say what it is (a
 * step's full record, a snapshot, a loss line) and which step, so a read
 * for drawing decodes the ~2,000 lines it keeps and the heads of the rest.
 *
 * While reading, a StepIndex records where every full step record starts
 * (and every 256th loss line): the scrubber then reads one line per step,
 * whatever the run's size.
 *
 * Pure: the caller supplies a ByteSource per segment (node:fs positional
 * reads in the CLI and for local files in the extension; a whole-file read
 * through VS Code's file system API otherwise).
 */
import { StepsParser, lineHead, parseSteps, type ParseOptions, type ParsedSteps } from './format';
import type { LossPoint, RunStep } from './types';

export interface ByteSource {
  /** The size in bytes when the read starts (a growing file is read up to it). */
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A ByteSource over bytes already in memory. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)) };
}

export interface LinePosition {
  segment: number;
  offset: number;
  length: number;
}

/** Every this many loss lines, the index keeps one (a loss is then found by reading at most this many lines). */
const LOSS_INDEX_EVERY = 256;
/** Characters of a line enough to tell what it is (lineHead). */
const HEAD_CHARS = 64;
const NEWLINE = 10;

/**
 * Where each step's full record is, and every LOSS_INDEX_EVERY-th loss line.
 * Steps are added in increasing order, so lookups are binary searches.
 */
export class StepIndex {
  private readonly steps: number[] = [];
  private readonly positions: LinePosition[] = [];
  private readonly lossSteps: number[] = [];
  private readonly lossPositions: LinePosition[] = [];
  private lossCount = 0;
  /** The segments' sizes when indexed: a reader re-indexes a run whose files shrank. */
  sizes: number[] = [];
  /** Where the lines not yet indexed start: after the last complete line seen. */
  end: { segment: number; offset: number } = { segment: 0, offset: 0 };

  addStep(step: number, at: LinePosition): void {
    this.lastStep = Math.max(this.lastStep, step);
    if (step > (this.steps.at(-1) ?? 0)) {
      this.steps.push(step);
      this.positions.push(at);
    }
  }

  addLoss(step: number, at: LinePosition): void {
    this.lastStep = Math.max(this.lastStep, step);
    if (this.lossCount++ % LOSS_INDEX_EVERY === 0 && step > (this.lossSteps.at(-1) ?? 0)) {
      this.lossSteps.push(step);
      this.lossPositions.push(at);
    }
  }

  /** Full records indexed. */
  get size(): number {
    return this.steps.length;
  }

  /** The last step indexed (a full record or a loss line): lookups up to it are answered from the index. */
  lastStep = 0;

  /** The step with a full record nearest to `step` (the later one on a tie), and where its line is. */
  nearest(step: number): { step: number; at: LinePosition } | undefined {
    const i = nearestIndex(this.steps, step);
    return i === undefined ? undefined : { step: this.steps[i]!, at: this.positions[i]! };
  }

  /** The indexed loss line at or before `step`, and the next one's position (where a scan for `step` can stop). */
  lossBlock(step: number): { from: LinePosition; to: LinePosition | undefined } | undefined {
    let lo = 0;
    let hi = this.lossSteps.length - 1;
    if (hi < 0 || this.lossSteps[0]! > step) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lossSteps[mid]! <= step) lo = mid;
      else hi = mid - 1;
    }
    return { from: this.lossPositions[lo]!, to: this.lossPositions[lo + 1] };
  }
}

function nearestIndex(sorted: readonly number[], t: number): number | undefined {
  if (sorted.length === 0) return undefined;
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && t - sorted[lo - 1]! < sorted[lo]! - t) return lo - 1;
  return lo;
}

export interface StreamOptions extends ParseOptions {
  /** Filled with where the records are. */
  index?: StepIndex;
  /** Bytes read at a time (default 1 MiB). */
  chunkBytes?: number;
}

/**
 * The records of the segments, in order, read line by line: what parseSteps
 * gives for their joined text, without ever holding that text.
 */
export async function readStepsStream(segments: readonly ByteSource[], options: StreamOptions = {}): Promise<ParsedSteps> {
  const parser = new StepsParser(options);
  const decoder = new TextDecoder();
  const index = options.index;
  if (index) index.sizes = segments.map((s) => s.size);
  let lineNumber = 0;
  for (const [k, source] of segments.entries()) {
    const endOfRun = k === segments.length - 1;
    await forEachLine(source, options.chunkBytes ?? 1 << 20, (bytes, offset, terminated) => {
      lineNumber++;
      const torn = endOfRun && !terminated;
      if (index && terminated) index.end = { segment: k, offset: offset + bytes.length + 1 };
      if (isBlank(bytes, decoder)) return;
      const at = { segment: k, offset, length: bytes.length };
      const h = headOfBytes(bytes) ?? lineHead(decoder.decode(bytes.subarray(0, HEAD_CHARS)));
      if (index && h && !torn) {
        if (h.kind === 'step') index.addStep(h.step, at);
        else index.addLoss(h.step, at);
      }
      if (!parser.needsLine(h, torn, () => decoder.decode(bytes))) return;
      const added = parser.add(decoder.decode(bytes), lineNumber, torn);
      // A line the heads do not recognize (keys in another order) is indexed once parsed.
      if (index && !h && added?.kind === 'step') index.addStep(added.step, at);
    });
  }
  parser.finish(true);
  return parser.out;
}

/**
 * Indexes the lines a growing run has added since `index` was built (or
 * last extended): files only grow, so the lines before `index.end` are as
 * they were. The caller checks that no segment shrank.
 */
export async function extendIndex(segments: readonly ByteSource[], index: StepIndex, chunkBytes = 1 << 20): Promise<void> {
  const decoder = new TextDecoder();
  const from = index.end;
  for (let k = from.segment; k < segments.length; k++) {
    const source = segments[k]!;
    const start = k === from.segment ? from.offset : 0;
    const rest: ByteSource = { size: Math.max(0, source.size - start), read: (offset, length) => source.read(start + offset, length) };
    await forEachLine(rest, chunkBytes, (bytes, offset, terminated) => {
      if (!terminated) return; // a line still being written: indexed once complete
      index.end = { segment: k, offset: start + offset + bytes.length + 1 };
      const h = headOfBytes(bytes) ?? lineHead(decoder.decode(bytes.subarray(0, HEAD_CHARS)));
      const at = { segment: k, offset: start + offset, length: bytes.length };
      if (h?.kind === 'step') index.addStep(h.step, at);
      else if (h) index.addLoss(h.step, at);
      else {
        const added = parseSteps(`${decoder.decode(bytes)}\n`).steps[0];
        if (added) index.addStep(added.step, at);
      }
    });
  }
  index.sizes = segments.map((s) => s.size);
}

/**
 * Calls `onLine` with each line's bytes (without its "\n"), its offset, and
 * whether a "\n" ended it (only the last line of a file may lack one). The
 * bytes of a line that fits in a chunk are a view of that chunk, valid until
 * the caller lets go of them.
 */
export async function forEachLine(source: ByteSource, chunkBytes: number, onLine: (bytes: Uint8Array, offset: number, terminated: boolean) => void): Promise<void> {
  let carry: Uint8Array[] = [];
  let carryBytes = 0;
  let lineStart = 0;
  for (let pos = 0; pos < source.size;) {
    const chunk = await source.read(pos, Math.min(chunkBytes, source.size - pos));
    if (chunk.length === 0) break; // the file shrank
    let from = 0;
    for (let nl = chunk.indexOf(NEWLINE, from); nl !== -1; nl = chunk.indexOf(NEWLINE, from)) {
      const tail = chunk.subarray(from, nl);
      onLine(carryBytes > 0 ? concat([...carry, tail], carryBytes + tail.length) : tail, lineStart, true);
      carry = [];
      carryBytes = 0;
      from = nl + 1;
      lineStart = pos + from;
    }
    if (from < chunk.length) {
      carry.push(chunk.slice(from));
      carryBytes += chunk.length - from;
    }
    pos += chunk.length;
  }
  if (carryBytes > 0) onLine(concat(carry, carryBytes), lineStart, false);
}

/** `{"type":"step","step":` as the engine writes it, in bytes. */
const STEP_PREFIX = new TextEncoder().encode('{"type":"step","step":');
const OPEN_BRACKET = 91;

/**
 * The head of a line as the engine writes it (`[123,` or `{"type":"step","step":123,`), read from its bytes:
 * most lines of a long run are loss lines, and decoding each one's head as text took most of a read's time.
 * Undefined when the line starts otherwise (lineHead then reads its decoded head: spaces, other writers).
 */
function headOfBytes(bytes: Uint8Array): { kind: 'step' | 'loss'; step: number } | undefined {
  let i: number;
  let kind: 'step' | 'loss';
  if (bytes[0] === OPEN_BRACKET) {
    i = 1;
    kind = 'loss';
  } else {
    if (bytes.length <= STEP_PREFIX.length) return undefined;
    for (let j = 0; j < STEP_PREFIX.length; j++) if (bytes[j] !== STEP_PREFIX[j]) return undefined;
    i = STEP_PREFIX.length;
    kind = 'step';
  }
  let step = 0;
  const start = i;
  for (; i < bytes.length && i - start < 16; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) break;
    step = step * 10 + d;
  }
  const end = bytes[i];
  return i > start && (end === 44 || (kind === 'step' && end === 125)) ? { kind, step } : undefined;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An empty line, or one of spaces only (skipped, as parseSteps skips them). */
function isBlank(bytes: Uint8Array, decoder: TextDecoder): boolean {
  if (bytes.length === 0) return true;
  const first = bytes[0]!;
  if (first !== 32 && first !== 9 && first !== 13) return false;
  return decoder.decode(bytes).trim() === '';
}

/** What the index gives for one step: its full record if kept, else the nearest kept one and the step's own loss. */
export interface StepLookup {
  /** The full record of `step`, or of the nearest step that has one. */
  record: RunStep | undefined;
  /** Whether `record` is `step`'s own. */
  exact: boolean;
  /** The step's loss when its full record was not kept (from its loss line). */
  loss?: LossPoint;
}

/** One step through the index: one line read for a kept step, one short block of loss lines more otherwise. */
export async function lookUpStep(segments: readonly ByteSource[], index: StepIndex, step: number): Promise<StepLookup> {
  const near = index.nearest(step);
  const record = near ? await readRecordAt(segments, near.at) : undefined;
  if (near?.step === step) return { record, exact: true };
  const loss = await readLossOf(segments, index, step);
  return { record, exact: false, ...(loss ? { loss } : {}) };
}

async function readRecordAt(segments: readonly ByteSource[], at: LinePosition): Promise<RunStep | undefined> {
  const bytes = await segments[at.segment]!.read(at.offset, at.length);
  return parseSteps(`${new TextDecoder().decode(bytes)}\n`).steps[0];
}

/** The loss line of `step`: a scan from the indexed loss line before it to the next indexed one. */
async function readLossOf(segments: readonly ByteSource[], index: StepIndex, step: number): Promise<LossPoint | undefined> {
  const block = index.lossBlock(step);
  if (!block) return undefined;
  const source = segments[block.from.segment]!;
  const end = block.to && block.to.segment === block.from.segment ? block.to.offset : source.size;
  const window: ByteSource = { size: end - block.from.offset, read: (offset, length) => source.read(block.from.offset + offset, length) };
  const decoder = new TextDecoder();
  let found: LossPoint | undefined;
  await forEachLine(window, 64 * 1024, (bytes) => {
    if (found) return;
    const head = decoder.decode(bytes.subarray(0, HEAD_CHARS));
    const h = lineHead(head);
    if (h?.kind === 'loss' && h.step === step) found = parseSteps(`${decoder.decode(bytes)}\n`).losses[0];
  });
  return found;
}
