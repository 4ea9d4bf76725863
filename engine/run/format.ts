/**
 * The run format, version 2 (docs/run-format.md is the full description;
 * version 1 runs are still read):
 *
 *     <run folder>/
 *       run.json      metadata; rewritten whole (write a temporary file, then rename over it)
 *       steps.jsonl   append-only: one JSON value per line, `{"type":"step",…}` (a step's full record),
 *                     `{"type":"snapshot",…}`, or `[step, loss, valLoss?]` (the loss of a step whose
 *                     full record was thinned out, version 2)
 *       steps.1.jsonl, steps.2.jsonl, …   optional continuation segments, read after steps.jsonl in order
 *
 * Segments are for writers that cannot append (VS Code's file system API,
 * which also serves virtual workspaces): such a writer rewrites its current
 * segment whole through a temporary file and a rename, and starts the next
 * segment when the current one is large. Appending writers use steps.jsonl only.
 *
 * Pure: strings in and out. The extension (vscode.workspace.fs) and the CLI
 * (node:fs) do the file I/O, so a PyTorch-side recorder only needs to write
 * the same lines.
 *
 * Crash safety comes from the layout: steps.jsonl is only appended to, so a
 * crash can at worst leave its last line incomplete, and `parseSteps`
 * drops an incomplete last line (one without its newline that does not
 * parse) with a warning; run.json is replaced atomically by the rename, so
 * it is always a complete old or new version.
 *
 * JSON has no NaN or infinities; in steps.jsonl they are written as the
 * strings "NaN", "Infinity" and "-Infinity" and read back as numbers (step
 * and snapshot records have no other string values).
 */
import type { ModelSpec } from '../model/spec';
import { parameterShapes } from '../model/moduleTree';
import { generatorInfo, type GeneratorInfo } from '../random';
import { ENGINE_VERSION } from '../version';
import type { LossPoint, NonFiniteReport, RunStep, Snapshot } from './types';
import { isPlainRunId } from './runId';

export const RUN_FORMAT = 'weightscope-run';
/** The version this engine writes, and the newest it reads (it reads every older one too). */
export const RUN_FORMAT_VERSION = 2;
export const RUN_META_FILE = 'run.json';
export const RUN_STEPS_FILE = 'steps.jsonl';

/**
 * Writers write the first five. "interrupted" is a reader's word for a run
 * still "running" in run.json whose writer is gone (liveness.ts).
 */
export type RunStatus = 'running' | 'completed' | 'cancelled' | 'non-finite' | 'failed' | 'interrupted';

export interface RunMeta {
  format: typeof RUN_FORMAT;
  version: number;
  /** Unique within a runs folder; also the folder's name. */
  id: string;
  /** Shown in the run list; the user may rename it. */
  name: string;
  /** What wrote the run, e.g. "weightscope 0.1.0" or "weightscope-torch 0.1". */
  producer: string;
  createdAt: string;
  updatedAt: string;
  status: RunStatus;
  /** Why the run stopped early, in words. */
  reason?: string;
  nonFinite?: NonFiniteReport;
  /** Steps asked for, and steps recorded so far (updated about once a second while the run goes on). */
  plannedSteps: number;
  stepsDone: number;
  /** The process writing the run, while it is "running" (version 2): a reader on the same host can see it is gone. */
  writer?: RunWriterInfo;
  /** How the writer thinned the full records (version 2; see recordingPolicy.ts). */
  recording?: RecordingInfo;
  model: {
    name: string;
    /** The model file, when there is one (a URI or a path). */
    source?: string;
    /** The engine's parsed model (Weightscope-written runs); other producers may omit it. */
    spec?: ModelSpec;
    parameters: { name: string; shape: number[] }[];
  };
  optimizer: { type: string; lr: number; args: Record<string, unknown>; noDecay: string[]; decay?: 'torch' | 'paper' };
  batchSize: number;
  seed: number;
  /** Which generator drew the initial weights, dropout masks and batch order (absent in runs of older versions). */
  generator?: GeneratorInfo;
  dataset: string;
  /** Runs started together to compare variants share a group id; `variant` labels this one. */
  group?: string;
  variant?: string;
}

export interface RunWriterInfo {
  pid: number;
  host: string;
}

export interface RecordingInfo {
  /** Every step has its full record up to this one. */
  denseSteps: number;
  /** The run's size cap in bytes; past it only losses are written. */
  maxBytes: number;
  /** The step at which the cap was reached, once it was. */
  capReachedAt?: number;
}

export interface RunData {
  meta: RunMeta;
  steps: RunStep[];
  snapshots: Snapshot[];
  /** The loss of every step without a full record (format version 2). */
  losses: LossPoint[];
  /** Problems the reader skipped over (a torn last line, an unknown record type), in words. */
  warnings: string[];
}

export class RunFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFormatError';
  }
}

export interface MetaInput {
  id: string;
  steps: number;
  createdAt: string;
  name?: string;
  source?: string;
  batchSize?: number;
  dataset?: string;
  group?: string;
  variant?: string;
}

/** The metadata of a new run of `spec`. */
export function runMetaFor(spec: ModelSpec, m: MetaInput): RunMeta {
  const o = spec.optimizer ?? { type: 'AdamW', lr: 1e-3, args: {}, noDecay: [] };
  const meta: RunMeta = {
    format: RUN_FORMAT, version: RUN_FORMAT_VERSION, id: m.id, name: m.name ?? spec.name, producer: `weightscope ${ENGINE_VERSION}`,
    createdAt: m.createdAt, updatedAt: m.createdAt, status: 'running', plannedSteps: m.steps, stepsDone: 0,
    model: { name: spec.name, spec, parameters: parameterShapes(spec), ...(m.source ? { source: m.source } : {}) },
    optimizer: { type: o.type, lr: o.lr, args: { ...o.args }, noDecay: [...o.noDecay], ...(o.decay ? { decay: o.decay } : {}) },
    batchSize: m.batchSize ?? spec.training?.batchSize ?? 32, seed: spec.seed, generator: generatorInfo(spec.seed), dataset: m.dataset ?? '',
  };
  if (m.group) meta.group = m.group;
  if (m.variant) meta.variant = m.variant;
  return meta;
}

export function encodeRunMeta(meta: RunMeta): string {
  return `${JSON.stringify(meta, finiteReplacer, 2)}\n`;
}

/**
 * Step and snapshot numbers are written with 7 significant digits: about
 * float32's precision, which is what the tensors they summarize hold, and
 * half the bytes of a double's 17 digits. (Step numbers and counts are
 * integers and stay exact.)
 */
export const STORED_DIGITS = 7;

export function encodeStepLine(step: RunStep): string {
  return `${JSON.stringify(storedCopy(step, 'step'))}\n`;
}

export function encodeSnapshotLine(snapshot: Snapshot): string {
  return `${JSON.stringify(storedCopy(snapshot, 'snapshot'))}\n`;
}

/**
 * A number as it is stored in steps.jsonl: integers exact; others rounded to
 * STORED_DIGITS significant digits, as m·10^−k with m = round(x·10^k), an
 * integer of 7 digits, and both m and 10^k exact doubles, so the quotient is
 * the double nearest to that decimal (what parsing it gives).
 *
 * This rather than Number(x.toPrecision(7)): every step writes ~100 numbers
 * and the string round trip made encoding cost as much as the step's
 * tracing. The two agree except when x·10^k lands within a rounding error of
 * a half (then the last digit may differ by one; both are 7-digit roundings).
 */
export function storedNumber(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  const k = STORED_DIGITS - 1 - Math.floor(Math.log10(Math.abs(x)));
  if (k >= 0 && k <= 22) return Math.round(x * POWERS_OF_TEN[k]!) / POWERS_OF_TEN[k]!;
  if (k < 0 && k >= -22) return Math.round(x / POWERS_OF_TEN[-k]!) * POWERS_OF_TEN[-k]!;
  return Number(x.toPrecision(STORED_DIGITS)); // |x| beyond 1e±16: not where step statistics live
}

/** 10^0 … 10^22, every one an exact double. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * A copy of a step or snapshot record as it is stored, with `type` first:
 * numbers through storedNumber, NaN and ±Infinity as the strings JSON needs
 * ("NaN", "Infinity", "-Infinity"). A plain copy stringified natively is
 * about twice as fast as JSON.stringify with a replacer called per value.
 */
function storedCopy(record: object, type: string): Record<string, unknown> {
  const out: Record<string, unknown> = { type };
  for (const key in record) out[key] = stored((record as Record<string, unknown>)[key]);
  return out;
}

function stored(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? storedNumber(value) : finiteReplacer('', value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(stored);
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = stored((value as Record<string, unknown>)[key]);
  return out;
}

export function parseRunMeta(text: string): RunMeta {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RunFormatError(`run.json is not valid JSON: ${(err as Error).message}`);
  }
  const meta = value as Partial<RunMeta> | null;
  if (!meta || typeof meta !== 'object' || meta.format !== RUN_FORMAT) throw new RunFormatError(`run.json is not a Weightscope run (its "format" is not "${RUN_FORMAT}")`);
  if (typeof meta.version !== 'number') throw new RunFormatError('run.json has no format "version"');
  if (meta.version > RUN_FORMAT_VERSION) throw new RunFormatError(`run format version ${meta.version} is newer than this Weightscope reads (versions 1 to ${RUN_FORMAT_VERSION}); update Weightscope to open this run`);
  if (!Number.isInteger(meta.version) || meta.version < 1) throw new RunFormatError(`run.json: format "version" must be a whole number from 1, got ${JSON.stringify(meta.version)}`);
  for (const key of ['id', 'name', 'status'] as const) if (typeof meta[key] !== 'string') throw new RunFormatError(`run.json: "${key}" must be a string`);
  // The id names the run's folder and is joined to the runs folder to rename or delete it.
  if (!isPlainRunId(meta.id!)) throw new RunFormatError(`run.json: "id" ${JSON.stringify(meta.id!.slice(0, 80))} is not a plain folder name (one name, no "/", "\\", ".." or control characters)`);
  if (!meta.model || !Array.isArray(meta.model.parameters)) throw new RunFormatError('run.json: "model.parameters" must be a list');
  return meta as RunMeta;
}

/**
 * The records of steps.jsonl. An incomplete last line (a crash while it was
 * written) is dropped; a bad line elsewhere is skipped; both with a warning.
 * Steps must increase; a repeated or earlier step (a resumed writer) replaces
 * nothing and is skipped with a warning.
 *
 * With `keep`, only the step records it accepts are kept (every snapshot is),
 * and the run's last step always: a long run read for drawing; `keepLoss`
 * does the same for loss lines. A step line that begins as the writers write
 * it (`{"type":"step","step":N`, spaces allowed) and is not kept is never
 * parsed, so reading a run of 100,000 steps for display builds ~2,000
 * records, not 100,000 (a damaged line that is not kept then goes
 * unnoticed). `into` continues earlier segments' records; `endOfRun: false`
 * says that later segments follow (the last step is theirs).
 *
 * This reads a string; runStream.ts reads files of any size line by line
 * through the same StepsParser.
 */
export function parseSteps(text: string, options: ParseOptions & { into?: ParsedSteps; endOfRun?: boolean } = {}): ParsedSteps {
  const parser = new StepsParser(options, options.into);
  const lines = text.split('\n');
  const complete = text.endsWith('\n') || text === '';
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const torn = i === lines.length - 1 && !complete;
    if (parser.needs(line, torn, () => line)) parser.add(line, i + 1, torn);
  });
  parser.finish(options.endOfRun !== false);
  return parser.out;
}

export interface ParseOptions {
  /** Which step records to keep (called in increasing step order); absent: all. */
  keep?: (step: number) => boolean;
  /** Which loss lines to keep; absent: all. */
  keepLoss?: (step: number) => boolean;
}

export interface ParsedSteps {
  steps: RunStep[];
  snapshots: Snapshot[];
  /** The steps whose full record was not kept (version 2): their loss alone. */
  losses: LossPoint[];
  warnings: string[];
}

export function emptyParsedSteps(): ParsedSteps {
  return { steps: [], snapshots: [], losses: [], warnings: [] };
}

/** The start of a step line as the engine and the Python recorder write it: its type first, then its step. */
const STEP_LINE_HEAD = /^\{\s*"type"\s*:\s*"step"\s*,\s*"step"\s*:\s*(\d+)\s*[,}]/;
/** The start of a loss line: `[step,`. */
const LOSS_LINE_HEAD = /^\[\s*(\d+)\s*,/;

/** What a line's head says it is, before the line is decoded or parsed whole. */
export function lineHead(head: string): { kind: 'step' | 'loss'; step: number } | undefined {
  const s = STEP_LINE_HEAD.exec(head);
  if (s) return { kind: 'step', step: Number(s[1]) };
  const l = LOSS_LINE_HEAD.exec(head);
  return l ? { kind: 'loss', step: Number(l[1]) } : undefined;
}

/**
 * Parses steps.jsonl line by line. `needs` looks at a line's head (its
 * first 64 characters are enough) and says whether the line must be parsed;
 * a step line passed over is remembered (its text fetched lazily) in case it
 * is the run's last step, which `finish` adds.
 */
export class StepsParser {
  readonly out: ParsedSteps;
  private skipped: { step: number; text: () => string } | undefined;
  private skippedLoss: { step: number; text: () => string } | undefined;

  constructor(private readonly options: ParseOptions = {}, into?: ParsedSteps) {
    this.out = into ?? emptyParsedSteps();
    this.out.losses ??= [];
  }

  needs(head: string, torn: boolean, text: () => string): boolean {
    return this.needsLine((this.options.keep || this.options.keepLoss) ? lineHead(head) : undefined, torn, text);
  }

  /** `needs`, for a line whose head was already read (undefined: not recognized, so parsed). */
  needsLine(h: { kind: 'step' | 'loss'; step: number } | undefined, torn: boolean, text: () => string): boolean {
    if (torn || !h) return true;
    if (h.kind === 'loss') {
      if (!this.options.keepLoss || this.options.keepLoss(h.step)) return true;
      if (h.step > (this.skippedLoss?.step ?? 0)) this.skippedLoss = { step: h.step, text };
      return false;
    }
    if (!this.options.keep || this.options.keep(h.step)) return true;
    if (h.step > (this.skipped?.step ?? 0)) this.skipped = { step: h.step, text };
    return false;
  }

  /** Parse a line and keep its record; what it added, if anything. */
  add(line: string, lineNumber: number, torn: boolean): Added | undefined {
    const record = parseLine(line);
    if (record === undefined) {
      this.out.warnings.push(torn ? `dropped the incomplete last line ${lineNumber} (the writer stopped mid-line)` : `skipped line ${lineNumber}: not valid JSON`);
      return undefined;
    }
    return addRecord(record, `line ${lineNumber}`, this.out);
  }

  /**
   * At the end of the run (not of a segment that later ones follow), add the last step record and the last
   * loss line if they were passed over: the run's last step is always read.
   */
  finish(endOfRun: boolean): void {
    const last = [this.skipped, this.skippedLoss];
    const lists = [this.out.steps, this.out.losses];
    this.skipped = undefined;
    this.skippedLoss = undefined;
    if (!endOfRun) return;
    last.forEach((skipped, i) => {
      if (!skipped || skipped.step <= (lists[i]!.at(-1)?.step ?? 0)) return;
      const record = parseLine(skipped.text());
      if (record) addRecord(record, `step ${skipped.step}`, this.out);
      else this.out.warnings.push(`skipped step ${skipped.step}: not valid JSON`);
    });
  }
}

type Added = { kind: 'step' | 'snapshot' | 'loss'; step: number };

function addRecord(record: { type?: unknown; step?: unknown } | unknown[] | null, where: string, out: ParsedSteps): Added | undefined {
  if (Array.isArray(record)) return addLoss(record, where, out);
  if (!record || typeof record !== 'object' || typeof record.step !== 'number') {
    out.warnings.push(`skipped ${where}: no "step" number`);
    return undefined;
  }
  const { type, ...rest } = record;
  const step = record.step;
  if (type !== 'step' && type !== 'snapshot') {
    out.warnings.push(`skipped ${where}: unknown record type ${JSON.stringify(type)}`);
    return undefined;
  }
  const list: { step: number }[] = type === 'step' ? out.steps : out.snapshots;
  const previous = list.at(-1);
  if (previous && step <= previous.step) {
    out.warnings.push(`skipped ${where}: ${type} ${step} does not follow ${type} ${previous.step}`);
    return undefined;
  }
  list.push(rest as { step: number });
  return { kind: type, step };
}

/** A loss line `[step, loss]` or `[step, loss, valLoss]`. */
function addLoss(record: unknown[], where: string, out: ParsedSteps): Added | undefined {
  const [step, loss, valLoss] = record;
  if (!(typeof step === 'number' && Number.isInteger(step) && step >= 1) || typeof loss !== 'number' || record.length > 3 || !(valLoss === undefined || valLoss === null || typeof valLoss === 'number')) {
    out.warnings.push(`skipped ${where}: a loss line is [step, loss] or [step, loss, validation loss]`);
    return undefined;
  }
  const previous = out.losses.at(-1);
  if (previous && step <= previous.step) {
    out.warnings.push(`skipped ${where}: loss of step ${step} does not follow that of step ${previous.step}`);
    return undefined;
  }
  out.losses.push({ step, loss, valLoss: valLoss ?? null });
  return { kind: 'loss', step };
}

/**
 * A loss line: the step, its training loss and (when measured) its
 * validation loss, for a step whose full record is not kept. About 25 bytes
 * where a full record of a small MLP takes 1.8 KB.
 */
export function encodeLossLine(step: number, loss: number, valLoss: number | null): string {
  const l = stored(loss);
  return valLoss === null ? `[${step},${JSON.stringify(l)}]\n` : `[${step},${JSON.stringify(l)},${JSON.stringify(stored(valLoss))}]\n`;
}

/** Every step's loss, from the full records and the loss lines (both sorted by step), in step order. */
export function lossSeries(steps: readonly RunStep[], losses: readonly LossPoint[]): LossPoint[] {
  const out: LossPoint[] = [];
  let i = 0;
  let j = 0;
  while (i < steps.length || j < losses.length) {
    const s = steps[i];
    const l = losses[j];
    if (s && (!l || s.step <= l.step)) {
      out.push({ step: s.step, loss: s.loss, valLoss: s.valLoss });
      if (l && l.step === s.step) j++;
      i++;
    } else {
      out.push(l!);
      j++;
    }
  }
  return out;
}

/** The file name of segment k: steps.jsonl for 0, then steps.<k>.jsonl. */
export function stepsSegmentName(k: number): string {
  return k === 0 ? RUN_STEPS_FILE : `steps.${k}.jsonl`;
}

/** The segment index of a file name in a run folder, or −1 when it is not a segment. */
export function stepsSegmentIndex(fileName: string): number {
  if (fileName === RUN_STEPS_FILE) return 0;
  const m = /^steps\.([1-9][0-9]*)\.jsonl$/.exec(fileName);
  return m ? Number(m[1]) : -1;
}

/** `steps`: the text of steps.jsonl, or of every segment in order. */
export function parseRun(metaText: string, stepsText: string | readonly string[]): RunData {
  const meta = parseRunMeta(metaText);
  const segments = typeof stepsText === 'string' ? [stepsText] : stepsText;
  // A segment that does not end in a newline can only be a torn end; keep lines apart when joining.
  const joined = segments.map((t, i) => (i < segments.length - 1 && t !== '' && !t.endsWith('\n') ? `${t}\n` : t)).join('');
  return runData(meta, parseSteps(joined));
}

/**
 * A run's meta and records as read. A run still "running" has its
 * stepsDone set to its last recorded step (whether its writer still runs
 * is for liveness.ts to say).
 */
export function runData(meta: RunMeta, parsed: ParsedSteps): RunData {
  if (meta.status === 'running') meta.stepsDone = Math.max(parsed.steps.at(-1)?.step ?? 0, parsed.losses.at(-1)?.step ?? 0);
  undefinedStdsAsNull(meta, parsed.steps);
  return { meta, steps: parsed.steps, snapshots: parsed.snapshots, losses: parsed.losses, warnings: parsed.warnings };
}

/**
 * Runs written before the std of one value was stored as null (and the
 * PyTorch recorder's older versions) hold "NaN" there: read it as the same
 * undefined std, for the tensors run.json says have one element. A NaN std of
 * a larger tensor (a diverged run) is left as it is.
 */
function undefinedStdsAsNull(meta: RunMeta, steps: RunStep[]): void {
  const single = meta.model.parameters.filter((p) => Array.isArray(p.shape) && p.shape.every((d) => d === 1)).map((p) => p.name);
  if (single.length === 0) return;
  for (const s of steps) {
    for (const name of single) {
      const l = s.layers?.[name];
      if (!l) continue;
      for (const m of [l.sqrtVHat, l.stepSize]) if (m && typeof m.std === 'number' && Number.isNaN(m.std)) m.std = null;
    }
  }
}

/**
 * The steps a read for drawing keeps (parseSteps's `keep`): about
 * `maxSteps` of them, the first ten and then the first record in each
 * stretch of k steps (k = total/maxSteps): every k-th from step 1 when every
 * step has a record, and the nearest record after each of those when a run
 * thinned its records (format version 2). It remembers what it kept, so it
 * must see the steps in increasing order, and one predicate serves one read.
 * A running run is thinned by the steps it is to take.
 */
export function thinnedSteps(meta: RunMeta, maxSteps: number): (step: number) => boolean {
  const total = meta.status === 'running' ? Math.max(meta.stepsDone, meta.plannedSteps || 0) : meta.stepsDone;
  const every = Math.max(1, Math.ceil(total / maxSteps));
  let lastBucket = -1;
  return (step) => {
    const bucket = Math.floor((step - 1) / every);
    if (step > 10 && bucket <= lastBucket) return false;
    lastBucket = Math.max(lastBucket, bucket);
    return true;
  };
}

/** A parsed line, or undefined when it is not JSON. */
function parseLine(line: string): { type?: unknown; step?: unknown } | unknown[] | null | undefined {
  try {
    return JSON.parse(line, finiteReviver) as { type?: unknown; step?: unknown } | unknown[] | null;
  } catch {
    return undefined;
  }
}

function finiteReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  return value;
}

function finiteReviver(_key: string, value: unknown): unknown {
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return value;
}
