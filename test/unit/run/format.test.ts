import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { parseModelText, requireChain } from '../../../engine/model';
import {
  encodeRunMeta, encodeSnapshotLine, encodeStepLine, parseRun, parseRunMeta, parseSteps, RunFormatError, runMetaFor, storedNumber, thinnedSteps, TrainingRun, type RunStep,
} from '../../../engine/run';
import { readRunFolder } from '../../../cli/runFiles';

/** Every number as the format stores it (7 significant digits), computed independently of the encoder. */
function stored<T>(x: T): T {
  if (typeof x === 'number') return (Number.isFinite(x) && !Number.isInteger(x) ? Number(x.toPrecision(7)) : x) as T;
  if (Array.isArray(x)) return x.map(stored) as T;
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, stored(v)])) as T;
  return x;
}

const MODEL = '{"input": 10, "layers": [{"name": "fc1", "type": "Linear", "out_features": 32}, {"type": "ReLU"}, {"name": "fc2", "type": "Linear", "out_features": 1}], "loss": "BCEWithLogitsLoss", "optimizer": {"type": "AdamW", "lr": 0.01}, "seed": 7}';
const spec = requireChain(parseModelText(MODEL, 'json', 'm').spec!, 'test');

function record(steps: number) {
  const run = new TrainingRun(spec, { steps });
  const meta = runMetaFor(spec, { id: 'r1', steps, createdAt: '2026-01-01T00:00:00.000Z', source: 'm.nn.json' });
  let lines = '';
  while (!run.done) {
    const { step, snapshot } = run.advance();
    lines += encodeStepLine(step);
    if (snapshot) lines += encodeSnapshotLine(snapshot);
  }
  return { run, meta, lines };
}

describe('run format', () => {
  it('round-trips metadata, every step and every snapshot exactly', () => {
    const { run, meta, lines } = record(40);
    const back = parseRun(encodeRunMeta(meta), lines);
    expect(back.meta).toEqual({ ...meta, stepsDone: 40 }); // a run read back while "running" ends at its last step
    expect(back.steps).toEqual(run.recorder.steps.map(stored));
    expect(back.snapshots).toEqual(run.recorder.snapshots.map(stored));
    // Stored to 7 significant digits: within float32's relative precision of the engine's values.
    const loss = run.recorder.steps[7]!.loss;
    expect(Math.abs(back.steps[7]!.loss - loss) / loss).toBeLessThan(5e-7);
    expect(back.steps[7]!.loss).not.toBe(loss);
    expect(back.warnings).toEqual([]);
    expect(back.meta.model.parameters).toEqual([{ name: 'fc1.weight', shape: [32, 10] }, { name: 'fc1.bias', shape: [32] }, { name: 'fc2.weight', shape: [1, 32] }, { name: 'fc2.bias', shape: [1] }]);
  });

  it('keeps NaN and infinities', () => {
    const step: RunStep = { step: 1, epoch: 0, loss: NaN, valLoss: null, gradNorm: Infinity, lr: 1e-3, biasCorrection1: null, biasCorrection2: null, layers: {} };
    const [back] = parseSteps(encodeStepLine(step)).steps;
    expect(back!.loss).toBeNaN();
    expect(back!.gradNorm).toBe(Infinity);
  });

  it('drops a torn last line, skips bad lines elsewhere, and says so', () => {
    const { lines } = record(5);
    const parts = lines.split('\n');
    const lastStep = parts.map((l) => l.startsWith('{"type":"step"')).lastIndexOf(true);
    const torn = `${parts.slice(0, lastStep).join('\n')}\n${parts[lastStep]!.slice(0, 40)}`;
    const { steps, warnings } = parseSteps(torn);
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(warnings).toEqual([expect.stringMatching(/dropped the incomplete last line \d+ \(the writer stopped mid-line\)/)]);
    const middle = parseSteps(`garbage\n${lines}{"type":"mystery","step":9}\n`);
    expect(middle.steps).toHaveLength(5);
    expect(middle.warnings).toEqual(['skipped line 1: not valid JSON', expect.stringMatching(/unknown record type "mystery"/)]);
  });

  it("stores a one-element tensor's undefined std as null, and still reads the \"NaN\" older files hold", () => {
    const one = requireChain(parseModelText('{"input": 3, "layers": [{"name": "out", "type": "Linear", "out_features": 1}], "loss": "MSELoss"}', 'json', 'm').spec!, 'test');
    const run = new TrainingRun(one, { steps: 2 });
    while (!run.done) run.advance();
    const line = encodeStepLine(run.recorder.steps[0]!);
    const bias = (parseSteps(line).steps[0]!.layers['out.bias'])!;
    expect(bias.sqrtVHat!.std).toBeNull();
    expect(bias.stepSize!.std).toBeNull();
    expect(line).not.toContain('NaN');
    const old = line.replace(/("out\.bias":\{.*?"sqrtVHat":\{[^}]*"std":)null/, '$1"NaN"');
    expect(old).toContain('"std":"NaN"');
    expect(Number.isNaN(parseSteps(old).steps[0]!.layers['out.bias']!.sqrtVHat!.std)).toBe(true);
    // Read as a run, an older file's NaN of a one-element tensor is the same undefined std.
    const meta = encodeRunMeta(runMetaFor(one, { id: 'old', steps: 2, createdAt: '' }));
    expect(parseRun(meta, old).steps[0]!.layers['out.bias']!.sqrtVHat!.std).toBeNull();
    // A NaN std of a larger tensor (a diverged run) is left as it is.
    const diverged = line.replace(/("out\.weight":\{.*?"sqrtVHat":\{[^}]*"std":)[^,}]+/, '$1"NaN"');
    expect(Number.isNaN(parseRun(meta, diverged).steps[0]!.layers['out.weight']!.sqrtVHat!.std)).toBe(true);
  });

  it('rejects what is not a run, and newer versions, with a clear message', () => {
    expect(() => parseRunMeta('{')).toThrow(RunFormatError);
    expect(() => parseRunMeta('{"format": "other"}')).toThrow('run.json is not a Weightscope run');
    const meta = runMetaFor(spec, { id: 'x', steps: 1, createdAt: '' });
    expect(() => parseRunMeta(JSON.stringify({ ...meta, version: 3 }))).toThrow('run format version 3 is newer than this Weightscope reads (versions 1 to 2)');
  });

  it('opens version 1 runs (a full record every step, no writer, no recording) and refuses versions that are not whole numbers', () => {
    const { run, meta, lines } = record(12);
    const v1 = { ...meta, version: 1 } as Record<string, unknown>;
    delete v1.writer;
    delete v1.recording;
    const back = parseRun(JSON.stringify(v1), lines);
    expect(back.meta.version).toBe(1);
    expect(back.steps).toHaveLength(run.recorder.steps.length);
    expect(back.losses).toEqual([]);
    for (const version of [0, 1.5, -2]) expect(() => parseRunMeta(JSON.stringify({ ...meta, version }))).toThrow(`format "version" must be a whole number from 1, got ${version}`);
  });

  it('rejects a run.json whose id is not a plain folder name (a shared run folder must not make Delete reach a sibling)', () => {
    const meta = runMetaFor(spec, { id: 'x', steps: 1, createdAt: '' });
    expect(parseRunMeta(JSON.stringify(meta)).id).toBe('x');
    for (const id of ['../../projects', '..', 'a/b', 'a\\b', 'x\n']) {
      expect(() => parseRunMeta(JSON.stringify({ ...meta, id })), id).toThrow(/run\.json: "id" .* is not a plain folder name/);
    }
  });

  it('a crash loses at most the unflushed steps and never corrupts the run: killing the writer mid-run', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ws-run-'));
    try {
      const script = path.join(dir, 'child.js');
      buildSync({ entryPoints: [path.join(__dirname, 'crashWriter.child.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: script, mainFields: ['module', 'main'], logLevel: 'silent' });
      const runDir = path.join(dir, 'run');
      const child = spawn(process.execPath, [script, runDir], { stdio: 'ignore' });
      const stepsFile = path.join(runDir, 'steps.jsonl');
      const deadline = Date.now() + 60_000;
      const metaFile = path.join(runDir, 'run.json');
      const stepsDoneOnDisk = () => (existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, 'utf8')) as { stepsDone: number }).stepsDone : 0);
      // Kill it once it has written a few hundred steps and run.json has followed it at least once
      // (about once a second), at no particular line boundary.
      while (Date.now() < deadline) {
        if (existsSync(stepsFile) && readFileSync(stepsFile, 'utf8').split('\n').length > 300 && stepsDoneOnDisk() > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const onDisk = JSON.parse(readFileSync(metaFile, 'utf8')) as { status: string; stepsDone: number; updatedAt: string; createdAt: string; writer: { pid: number } };
      expect(onDisk.status).toBe('running');
      expect(onDisk.stepsDone).toBeGreaterThan(0); // run.json followed the run
      expect(onDisk.updatedAt > onDisk.createdAt).toBe(true);
      expect(onDisk.writer.pid).toBe(child.pid);
      const data = await readRunFolder(runDir);
      // The writer's process is gone: the reader says so, at the last step on disk.
      const n = data.steps.length;
      expect(data.meta.status).toBe('interrupted');
      expect(data.meta.reason).toBe(`interrupted at step ${n}: its writer (process ${child.pid}) is gone`);
      expect(n).toBeGreaterThan(200);
      expect(n).toBeGreaterThanOrEqual(onDisk.stepsDone);
      expect(data.steps.map((s) => s.step)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      expect(data.meta.stepsDone).toBe(n);
      expect(data.warnings.length).toBeLessThanOrEqual(1);
      // Every kept step is the step the engine computes: nothing was corrupted.
      const again = new TrainingRun(spec, { steps: 10_000_000 }); // the child's snapshot schedule
      for (const s of data.steps) expect(stored(again.advance().step)).toEqual(s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('stored numbers', () => {
  it('keep 7 significant digits: the 7-digit rounding toPrecision gives, give or take one in the last digit', () => {
    let state = 12345;
    const random = (): number => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let differ = 0;
    for (let i = 0; i < 20000; i++) {
      const x = (random() - 0.5) * 10 ** Math.floor(random() * 30 - 15);
      if (Number.isInteger(x)) continue; // integers (steps, counts) are stored exactly
      const stored = storedNumber(x);
      const reference = Number(x.toPrecision(7));
      const digits = String(Math.abs(stored)).replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
      expect(digits.length, `${x} → ${stored}`).toBeLessThanOrEqual(7);
      if (stored !== reference) {
        differ++;
        expect(Math.abs(stored - reference), `${x}`).toBeLessThanOrEqual(Math.abs(reference) * 1.01e-6);
      }
    }
    expect(differ).toBeLessThan(20); // ties that x·10^k blurs are rare
    expect(storedNumber(3)).toBe(3);
    expect(storedNumber(0.1 + 0.2)).toBe(0.3);
    expect(storedNumber(-1 / 3)).toBe(-0.3333333);
    expect(storedNumber(NaN)).toBeNaN();
  });
});

describe('reading steps thinned (a long run for drawing)', () => {
  const every10 = (step: number): boolean => (step - 1) % 10 === 0;

  it('keeps the accepted steps, every snapshot and the last step, equal to the full read', () => {
    const { lines } = record(95);
    const all = parseSteps(lines);
    const thin = parseSteps(lines, { keep: every10 });
    expect(thin.steps.map((s) => s.step)).toEqual([1, 11, 21, 31, 41, 51, 61, 71, 81, 91, 95]);
    expect(thin.steps).toEqual(all.steps.filter((s) => every10(s.step) || s.step === 95));
    expect(thin.snapshots).toEqual(all.snapshots);
    expect(thin.warnings).toEqual([]);
  });

  it('never parses a step line it does not keep (also as Python writes them, with spaces), and still checks the kept ones', () => {
    const line = (step: number, rest: string, spaced = false) => (spaced ? `{"type": "step", "step": ${step}, ${rest}\n` : `{"type":"step","step":${step},${rest}\n`);
    const text = line(1, '"loss":1}') + line(2, 'not json at all', true) + line(3, '"loss":2}') + line(11, 'broken') + line(12, '"loss":3}', true);
    const thin = parseSteps(text, { keep: every10 });
    expect(thin.steps.map((s) => s.step)).toEqual([1, 12]); // 2 and 3 passed over; 12 is the last step
    expect(thin.warnings).toEqual(['skipped line 4: not valid JSON']); // step 11 is kept, so it is parsed
    // The same text read whole reports every broken line.
    expect(parseSteps(text).warnings).toHaveLength(2);
  });

  it('across segments, adds the last step only at the end of the run', () => {
    const { lines } = record(30);
    const all = parseSteps(lines).steps;
    const rows = lines.split('\n');
    const cut = rows.findIndex((l) => l.startsWith('{"type":"step","step":16,'));
    const segments = [rows.slice(0, cut).join('\n') + '\n', rows.slice(cut).join('\n')];
    const into = { steps: [], snapshots: [], losses: [], warnings: [] };
    segments.forEach((text, i) => parseSteps(text, { keep: every10, into, endOfRun: i === segments.length - 1 }));
    expect(into.steps).toEqual(all.filter((s) => [1, 11, 21, 30].includes(s.step)));
  });

  it('keeps about maxSteps evenly spaced steps and the first ten; a running run by the steps it is to take', () => {
    const { meta } = record(1);
    const kept = (m: typeof meta, total: number) => Array.from({ length: total }, (_, i) => i + 1).filter(thinnedSteps(m, 2000));
    const done = kept({ ...meta, status: 'completed', stepsDone: 100_000 }, 100_000);
    expect(done.slice(0, 12)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 51, 101]);
    expect(done).toHaveLength(2000 + 9);
    // Running: stepsDone is still 0 in run.json, and the run is to take 100,000 steps.
    expect(kept({ ...meta, status: 'running', stepsDone: 0, plannedSteps: 100_000 }, 30_000)).toEqual(done.filter((s) => s <= 30_000));
    expect(kept({ ...meta, status: 'completed', stepsDone: 1500 }, 1500)).toHaveLength(1500);
  });

  it('drops a torn last line with the same warning as a full read', () => {
    const { lines } = record(12);
    const torn = lines + '{"type":"step","step":13,"loss":0.5,"lay';
    expect(parseSteps(torn, { keep: every10 }).warnings).toEqual(parseSteps(torn).warnings);
    expect(parseSteps(torn, { keep: every10 }).steps.at(-1)!.step).toBe(12);
  });
});
