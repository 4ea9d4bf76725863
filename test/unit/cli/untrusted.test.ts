/**
 * The command line on untrusted model files: paths that lead outside the allowed folders, files that are not
 * regular or too large, and models too large to allocate, are all refused with a clear message before anything
 * is read or allocated.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/main';
import { writeNpy } from '../../../engine/io';
import { lockRunFolder, RUN_LOCK_FILE, RunLockError } from '../../../cli/runLock';

const scratch = mkdtempSync(path.join(tmpdir(), 'cli-untrusted-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let out: string[] = [];
beforeEach(() => {
  out = [];
  const keep = (...a: unknown[]): void => void out.push(a.map(String).join(' '));
  vi.spyOn(console, 'log').mockImplementation(keep);
  vi.spyOn(console, 'error').mockImplementation(keep);
});
afterEach(() => vi.restoreAllMocks());

let n = 0;
/** A model file in a fresh workspace folder; `files` are written next to it. */
function workspace(model: object, files: Record<string, string> = {}): { dir: string; model: string } {
  const dir = path.join(scratch, `ws${n++}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const file = path.join(dir, 'm.nn.json');
  writeFileSync(file, JSON.stringify(model, null, 1));
  return { dir, model: file };
}

const mlp = (data?: object): object => ({
  version: 1, input: 3, loss: 'BCEWithLogitsLoss',
  layers: [{ name: 'fc1', type: 'Linear', out_features: 4 }, { type: 'ReLU' }, { name: 'fc2', type: 'Linear', out_features: 1 }],
  ...(data ? { data } : {}),
});

const GOOD_CSV = 'a,b,c,y\n1,2,3,0\n4,5,6,1\n';

describe('paths a model file names', () => {
  it.each(['../../../../../../../../etc/passwd', '/etc/hostname'])('refuses %s on the path, saying where it leads, and reads nothing', async (csv) => {
    const { model } = workspace(mlp({ csv, target: 'y', task: 'binary' }));
    for (const command of ['check', 'train']) {
      out = [];
      expect(await main([command, model, '--steps', '1'])).toBe(1);
      const text = out.join('\n');
      expect(text).toMatch(/error path-outside "[^"]+" leads to \/etc\/(passwd|hostname), outside the model file's folder and the current directory/);
      // Nothing about the file's content: no row counts, no field counts.
      expect(text).not.toMatch(/fields|row|line \d/);
    }
  });

  it('points at the range of the path in the model file', async () => {
    const { model } = workspace(mlp({ csv: '/etc/hostname', target: 'y', task: 'binary' }));
    await main(['check', model]);
    const line = out.find((l) => l.includes('path-outside'))!;
    // "data": { "csv": "/etc/hostname" … } is written on line 14 by JSON.stringify(…, 1).
    expect(line).toMatch(/m\.nn\.json:\d+:\d+: error path-outside/);
    const [, row, col] = /:(\d+):(\d+):/.exec(line)!;
    const text = JSON.stringify(mlp({ csv: '/etc/hostname', target: 'y', task: 'binary' }), null, 1).split('\n');
    expect(text[Number(row) - 1]!.slice(Number(col) - 1)).toMatch(/^"\/etc\/hostname"/);
  });

  it('refuses a link inside the folder that leads outside it', async () => {
    const outside = path.join(scratch, 'outside.csv');
    writeFileSync(outside, GOOD_CSV);
    const { dir, model } = workspace(mlp({ csv: 'link.csv', target: 'y', task: 'binary' }));
    symlinkSync(outside, path.join(dir, 'link.csv'));
    expect(await main(['check', model])).toBe(1);
    expect(out.join('\n')).toContain(`"link.csv" leads (through a link) to ${outside}`);
  });

  it('reads a file inside the folder, and one outside with --allow-outside-paths', async () => {
    const inside = workspace(mlp({ csv: 'd.csv', target: 'y', task: 'binary' }), { 'd.csv': GOOD_CSV });
    expect(await main(['check', inside.model])).toBe(0);
    writeFileSync(path.join(scratch, 'shared.csv'), GOOD_CSV);
    const { model } = workspace(mlp({ csv: '../shared.csv', target: 'y', task: 'binary' }));
    expect(await main(['check', model])).toBe(1);
    expect(await main(['check', model, '--allow-outside-paths'])).toBe(0);
  });

  it('refuses /dev/zero as not a regular file, even where outside paths are allowed', async () => {
    const { model } = workspace(mlp({ csv: '/dev/zero', target: 'y', task: 'binary' }));
    expect(await main(['train', model, '--steps', '1', '--allow-outside-paths'])).toBe(1);
    expect(out.join('\n')).toMatch(/error not-a-file "\/dev\/zero" is not a regular file/);
  });

  it('refuses a 200 MB CSV by its size, before reading it', async () => {
    const { dir, model } = workspace(mlp({ csv: 'big.csv', target: 'y', task: 'binary' }), { 'big.csv': '' });
    truncateSync(path.join(dir, 'big.csv'), 200 * 1024 * 1024); // sparse: nothing is written
    expect(await main(['check', model])).toBe(1);
    expect(out.join('\n')).toMatch(/error file-too-large "big\.csv" is 200 MB, over the 128 MB limit/);
  });

  it('refuses init_from and NPY map paths outside the folder', async () => {
    const { model } = workspace({ ...mlp(), init_from: { npy: { 'fc1.weight': '../../w.npy' } } });
    expect(await main(['check', model])).toBe(1);
    // Refused as written, before asking whether the file exists.
    expect(out.join('\n')).toMatch(/error path-outside "\.\.\/\.\.\/w\.npy" leads to \/tmp\/w\.npy, outside/);
  });
});

describe('data file messages never quote the file', () => {
  it('says the row and the model\'s expected field count, not the values', async () => {
    const { model } = workspace(mlp({ csv: 'd.csv', target: 'y', task: 'binary' }), { 'd.csv': 'a,b,c,y\n1,2,3,0\nroot:x:0:0:secret,1\n' });
    expect(await main(['check', model])).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/d\.csv:3: this row has a different number of fields than the header \(the model reads 4 columns\)/);
    expect(text).not.toContain('secret');
    expect(text).not.toMatch(/has 2 fields/);
  });

  it('names the column of a cell that is not a number without quoting it', async () => {
    const { model } = workspace(mlp({ csv: 'd.csv', target: 'y', task: 'binary' }), { 'd.csv': 'a,b,c,y\n1,hunter2,3,0\n' });
    expect(await main(['check', model])).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/d\.csv:2: the cell in column 'b' is not a number/);
    expect(text).not.toContain('hunter2');
  });
});

describe('check opens the files the model names', () => {
  it('and reports an init_from tensor of the wrong shape, as train would', async () => {
    const { dir, model } = workspace({ ...mlp(), init_from: { npy: { 'fc1.weight': 'w.npy' } } });
    writeFileSync(path.join(dir, 'w.npy'), writeNpy(new Float32Array(6), [2, 3]));
    expect(await main(['check', model])).toBe(1);
    expect(out.join('\n')).toMatch(/error checkpoint-mismatch .*size mismatch for fc1\.weight: copying a param with shape \[2, 3\]/);
  });
});

describe('sizes before memory', () => {
  const huge = { version: 1, input: 10, layers: [{ type: 'Linear', out_features: 1_000_000_000 }] };
  it.each(['check', 'init', 'train'])('%s refuses a 10¹⁰-parameter Linear with the count and the estimate', async (command) => {
    const { model } = workspace(huge);
    expect(await main([command, model])).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/too-large The model has 11,000,000,000 parameters, over the limit of 20,000,000 \(--max-parameters\); training it needs about 4\.31 TB\./);
    expect(text).not.toMatch(/RangeError|Invalid typed array/);
  });

  it('refuses a wide input whose synthetic data would not fit, and a billion synthetic examples', async () => {
    const wide = workspace({ version: 1, input: 1_000_000, layers: [{ type: 'Linear', out_features: 1 }] });
    expect(await main(['init', wide.model])).toBe(1);
    expect(out.join('\n')).toMatch(/too-large The model has 1,000,001 parameters and training it needs about \d+(\.\d+)? GB, over the 2\.00 GB/);
    const many = workspace(mlp({ synthetic: 'binary', examples: 1e9 }));
    expect(await main(['train', many.model])).toBe(1);
    expect(out.join('\n')).toMatch(/too-large 1,000,000,000 synthetic examples: at most 10,000,000/);
  });

  it('applies --max-parameters, and a batch given on the command line', async () => {
    const { model } = workspace(mlp());
    expect(await main(['check', model, '--max-parameters', '10'])).toBe(1);
    expect(out.join('\n')).toMatch(/21 parameters, over the limit of 10 \(--max-parameters\)/);
    out = [];
    expect(await main(['train', model, '--batch', '100000000', '--steps', '1'])).toBe(1);
    expect(out.join('\n')).toMatch(/too-large: The model has 21 parameters and training it needs about/);
  });
});

describe('train --run DIR', () => {
  it('refuses a folder that already holds a run instead of appending to it', async () => {
    const { dir, model } = workspace(mlp());
    const runDir = path.join(dir, 'run');
    expect(await main(['train', model, '--steps', '2', '--run', runDir])).toBe(0);
    const steps = readFileSync(path.join(runDir, 'steps.jsonl'), 'utf8');
    out = [];
    expect(await main(['train', model, '--steps', '2', '--run', runDir])).toBe(1);
    expect(out.join('\n')).toMatch(/already holds a run; record this one in a new folder/);
    expect(readFileSync(path.join(runDir, 'steps.jsonl'), 'utf8')).toBe(steps);
    expect(existsSync(path.join(runDir, RUN_LOCK_FILE))).toBe(false);
  });

  it('refuses a folder another living writer holds, and takes over the lock of a dead one', async () => {
    const { dir, model } = workspace(mlp());
    const runDir = path.join(dir, 'run');
    mkdirSync(runDir);
    writeFileSync(path.join(runDir, RUN_LOCK_FILE), `${process.pid}\n`);
    expect(await main(['train', model, '--steps', '2', '--run', runDir])).toBe(1);
    expect(out.join('\n')).toContain(`is being written by another weightscope (pid ${process.pid})`);
    expect(existsSync(path.join(runDir, 'steps.jsonl'))).toBe(false);

    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(path.join(runDir, RUN_LOCK_FILE), `${dead.stdout}\n`);
    expect(await main(['train', model, '--steps', '2', '--run', runDir])).toBe(0);
    expect(readFileSync(path.join(runDir, 'steps.jsonl'), 'utf8').length).toBeGreaterThan(0);
    expect(existsSync(path.join(runDir, RUN_LOCK_FILE))).toBe(false);
  });

  it('lets only one of two writers take the lock', () => {
    const { dir } = workspace(mlp());
    const first = lockRunFolder(path.join(dir, 'run'));
    expect(() => lockRunFolder(path.join(dir, 'run'))).toThrow(RunLockError);
    first.release();
    lockRunFolder(path.join(dir, 'run')).release();
  });
});
