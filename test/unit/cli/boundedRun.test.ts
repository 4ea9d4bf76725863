import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { onFullRecordSchedule } from '../../../engine/run';
import { readRunFolder } from '../../../cli/runFiles';

// The CLI itself, bundled as it ships, training a one-weight model one example at a time: the fastest run
// there is, so that a million steps take seconds.
const TINY = '{"input": 1, "layers": [{"name": "fc", "type": "Linear", "out_features": 1}], "loss": "MSELoss", "optimizer": {"type": "AdamW", "lr": 0.001}, "seed": 1}';
let dir: string;
let cli: string;
let model: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ws-cli-run-'));
  cli = path.join(dir, 'cli.js');
  buildSync({ entryPoints: [path.join(__dirname, '../../../cli/bin.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: cli, mainFields: ['module', 'main'], logLevel: 'silent' });
  model = path.join(dir, 'tiny.nn.json');
  writeFileSync(model, TINY);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function train(run: string, ...args: string[]): void {
  const r = spawnSync(process.execPath, [cli, 'train', model, '--batch', '1', '--run', path.join(dir, run), ...args], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

describe('weightscope train --run keeps a run bounded', () => {
  it('a 1,000,000-step run stays under its cap: every loss, full records dense and then log-thinned', async () => {
    train('long', '--steps', '1000000', '--max-run-mb', '40');
    const bytes = statSync(path.join(dir, 'long', 'steps.jsonl')).size;
    expect(bytes).toBeLessThan(40 * 1024 * 1024);
    const run = await readRunFolder(path.join(dir, 'long'));
    expect(run.warnings).toEqual([]);
    expect(run.meta.status).toBe('completed');
    expect(run.meta.stepsDone).toBe(1_000_000);
    expect(run.meta.version).toBe(2);
    expect(run.meta.recording).toEqual({ denseSteps: 1000, maxBytes: 40 * 1024 * 1024 });
    // Every step's loss is there exactly once: in its full record or in its loss line.
    const full = run.steps.map((s) => s.step);
    expect(full.length + run.losses.length).toBe(1_000_000);
    // Full records: the schedule (1,000 + 900 a decade) and the snapshot steps, no more.
    const snapshots = new Set(run.snapshots.map((s) => s.step));
    expect(full.filter((t) => !onFullRecordSchedule(t) && !snapshots.has(t))).toEqual([]);
    expect(full.filter((t) => onFullRecordSchedule(t))).toHaveLength(3700);
    expect(full.at(-1)).toBe(1_000_000);
    const meta = JSON.parse(readFileSync(path.join(dir, 'long', 'run.json'), 'utf8')) as { stepsDone: number };
    expect(meta.stepsDone).toBe(1_000_000);
  }, 180_000);

  it('past the cap it keeps losses only, and run.json says from which step', async () => {
    train('capped', '--steps', '30000', '--max-run-mb', '1');
    expect(statSync(path.join(dir, 'capped', 'steps.jsonl')).size).toBeLessThanOrEqual(1024 * 1024);
    const run = await readRunFolder(path.join(dir, 'capped'));
    const cap = run.meta.recording!.capReachedAt!;
    expect(cap).toBeGreaterThan(1);
    expect(cap).toBeLessThan(1000);
    expect(run.steps.at(-1)!.step).toBeLessThan(cap);
    expect(run.losses.at(-1)!.step).toBe(30_000);
    expect(run.steps.length + run.losses.length).toBe(30_000);
  }, 60_000);

  it('refuses a cap that is not a positive whole number of MB', () => {
    const r = spawnSync(process.execPath, [cli, 'train', model, '--run', path.join(dir, 'x'), '--max-run-mb', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--max-run-mb needs a positive integer, got 0');
  });
});
