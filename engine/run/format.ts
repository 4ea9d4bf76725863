/**
 * The run format, version 1 (docs/run-format.md is the full description):
 *
 *     <run folder>/
 *       run.json      metadata; rewritten whole (write a temporary file, then rename over it)
 *       steps.jsonl   append-only: one JSON object per line, `{"type":"step",…}` or `{"type":"snapshot",…}`
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
import type { NonFiniteReport, RunStep, Snapshot } from './types';
import { isPlainRunId } from './runId';

export const RUN_FORMAT = 'weightscope-run';
export const RUN_FORMAT_VERSION = 1;
export const RUN_META_FILE = 'run.json';
export const RUN_STEPS_FILE = 'steps.jsonl';

export type RunStatus = 'running' | 'completed' | 'cancelled' | 'non-finite' | 'failed';

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
  /** Steps asked for, and steps recorded so far (updated when the run ends). */
  plannedSteps: number;
  stepsDone: number;
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

export interface RunData {
  meta: RunMeta;
  steps: RunStep[];
  snapshots: Snapshot[];
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
  if (meta.version > RUN_FORMAT_VERSION) throw new RunFormatError(`run format version ${meta.version} is newer than this Weightscope reads (${RUN_FORMAT_VERSION}); update Weightscope`);
  for (const key of ['id', 'name', 'status'] as const) if (typeof meta[key] !== 'string') throw new RunFormatError(`run.json: "${key}" must be a string`);
  // The id names the run's folder and is joined to the runs folder to rename or delete it.
  if (!isPlainRunId(meta.id!)) throw new RunFormatError(`run.json: "id" ${JSON.stringify(meta.id!.slice(0, 80))} is not a plain folder name (one name, no "/", "\\", ".." or control characters)`);
  if (!meta.model || !Array.isArray(meta.model.parameters)) throw new RunFormatError('run.json: "model.parameters" must be a list');
  return meta as RunMeta;
}

/**
 * The step and snapshot records of steps.jsonl. An incomplete last line (a
 * crash while it was written) is dropped; a bad line elsewhere is skipped;
 * both with a warning. Steps must increase; a repeated or earlier step (a
 * resumed writer) replaces nothing and is skipped with a warning.
 *
 * With `keep`, only the steps it accepts are kept (every snapshot is), and
 * the run's last step always: a long run read for drawing. A step line
 * that begins as the writers write it (`{"type":"step","step":N`, spaces
 * allowed) and is not kept is never parsed, so reading a run of 100,000
 * steps for display builds ~2,000 records, not 100,000 (a damaged line that
 * is not kept then goes unnoticed). `into` continues earlier segments' records;
 * `endOfRun: false` says that later segments follow (the last step is theirs).
 */
export function parseSteps(text: string, options: { keep?: (step: number) => boolean; into?: ParsedSteps; endOfRun?: boolean } = {}): ParsedSteps {
  const out = options.into ?? { steps: [], snapshots: [], warnings: [] };
  const { steps, warnings } = out;
  const keep = options.keep;
  const lines = text.split('\n');
  const complete = text.endsWith('\n') || text === '';
  // The latest step line passed over: the run's last step, if no later one is kept.
  let skipped: { line: string; step: number } | undefined;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const last = i === lines.length - 1;
    if (keep) {
      const head = STEP_LINE_HEAD.exec(line);
      if (head) {
        const step = Number(head[1]);
        if (!keep(step) && !(last && !complete)) {
          if (step > (skipped?.step ?? 0)) skipped = { line, step };
          return;
        }
      }
    }
    const record = parseLine(line);
    if (record === undefined) {
      warnings.push(last && !complete ? `dropped the incomplete last line ${i + 1} (the writer stopped mid-line)` : `skipped line ${i + 1}: not valid JSON`);
      return;
    }
    addRecord(record, `line ${i + 1}`, out);
  });
  if (skipped && options.endOfRun !== false && skipped.step > (steps.at(-1)?.step ?? 0)) {
    const record = parseLine(skipped.line);
    if (record) addRecord(record, `step ${skipped.step}`, out);
    else warnings.push(`skipped step ${skipped.step}: not valid JSON`);
  }
  return out;
}

export interface ParsedSteps {
  steps: RunStep[];
  snapshots: Snapshot[];
  warnings: string[];
}

/** The start of a step line as the engine and the Python recorder write it: its type first, then its step. */
const STEP_LINE_HEAD = /^\{\s*"type"\s*:\s*"step"\s*,\s*"step"\s*:\s*(\d+)\s*[,}]/;

function addRecord(record: { type?: unknown; step?: unknown } | null, where: string, out: ParsedSteps): void {
  if (!record || typeof record !== 'object' || typeof record.step !== 'number') {
    out.warnings.push(`skipped ${where}: no "step" number`);
    return;
  }
  const { type, ...rest } = record;
  const step = record.step;
  if (type !== 'step' && type !== 'snapshot') {
    out.warnings.push(`skipped ${where}: unknown record type ${JSON.stringify(type)}`);
    return;
  }
  const list: { step: number }[] = type === 'step' ? out.steps : out.snapshots;
  const previous = list.at(-1);
  if (previous && step <= previous.step) {
    out.warnings.push(`skipped ${where}: ${type} ${step} does not follow ${type} ${previous.step}`);
    return;
  }
  list.push(rest as { step: number });
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

/** A run's meta and records as read: a run still "running" when read back (after a crash) ended at its last step. */
export function runData(meta: RunMeta, parsed: ParsedSteps): RunData {
  if (meta.status === 'running') meta.stepsDone = parsed.steps.at(-1)?.step ?? 0;
  undefinedStdsAsNull(meta, parsed.steps);
  return { meta, steps: parsed.steps, snapshots: parsed.snapshots, warnings: parsed.warnings };
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
 * The steps a read for drawing keeps (parseSteps's `keep`): about `maxSteps`
 * of them, evenly spaced, every k-th from step 1, and the first ten. A
 * running run's stepsDone is updated only when it ends, so it is thinned by
 * the steps it is to take.
 */
export function thinnedSteps(meta: RunMeta, maxSteps: number): (step: number) => boolean {
  const total = meta.status === 'running' ? Math.max(meta.stepsDone, meta.plannedSteps || 0) : meta.stepsDone;
  const every = Math.max(1, Math.ceil(total / maxSteps));
  return (step) => step <= 10 || (step - 1) % every === 0;
}

/** A parsed line, or undefined when it is not JSON. */
function parseLine(line: string): { type?: unknown; step?: unknown } | null | undefined {
  try {
    return JSON.parse(line, finiteReviver) as { type?: unknown; step?: unknown } | null;
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
