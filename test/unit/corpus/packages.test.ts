/**
 * The corpus helper finds the packages' directory and reads files from it, and
 * says what to run when a package is missing. These tests use a directory of
 * their own through WEIGHTSCOPE_PY_DIST, so they need no installed package.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIST_ENV, distPackages, readCorpusFile } from './packages';

describe('corpus packages', () => {
  let dir: string;
  let saved: string | undefined;

  beforeEach(() => {
    saved = process.env[DIST_ENV];
    dir = mkdtempSync(join(tmpdir(), 'corpus-dist-'));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env[DIST_ENV];
    else process.env[DIST_ENV] = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  function fakeTorchvision(): void {
    mkdirSync(join(dir, 'torchvision', 'models'), { recursive: true });
    writeFileSync(join(dir, 'torchvision', '__init__.py'), '');
    writeFileSync(join(dir, 'torchvision', 'models', 'tiny.py'), 'class Tiny: pass\n');
  }

  it('uses WEIGHTSCOPE_PY_DIST and reads a file relative to it', () => {
    fakeTorchvision();
    process.env[DIST_ENV] = dir;
    expect(distPackages()).toBe(dir);
    expect(readCorpusFile('torchvision/models/tiny.py')).toBe('class Tiny: pass\n');
  });

  it('rejects a WEIGHTSCOPE_PY_DIST without torchvision, naming the setup script', () => {
    process.env[DIST_ENV] = dir;
    expect(() => distPackages()).toThrow(/does not hold torchvision\/.*scripts\/setup-python\.sh/);
  });

  it('says which package is missing and what to run', () => {
    fakeTorchvision();
    process.env[DIST_ENV] = dir;
    expect(() => readCorpusFile('torchaudio/models/wav2letter.py')).toThrow(/package torchaudio is not installed.*scripts\/setup-python\.sh/);
    expect(() => readCorpusFile('torchvision/models/absent.py')).toThrow(/absent\.py is not in the installed torchvision/);
  });

  it('reads only inside the packages directory', () => {
    fakeTorchvision();
    process.env[DIST_ENV] = dir;
    expect(() => readCorpusFile('../etc/passwd')).toThrow(/inside the dist-packages directory/);
    expect(() => readCorpusFile('/etc/passwd')).toThrow(/inside the dist-packages directory/);
    expect(() => readCorpusFile('torchvision/../../x.py')).toThrow(/inside the dist-packages directory/);
  });
});
