/**
 * Runs the implementations one after the other and collects their rows.
 *
 * Each implementation runs in a child process of its own (this bundle with
 * `--child <impl>`, or the PyTorch script), so that one JIT, heap or wasm
 * instance does not slow down the next and the 2 cores are not shared
 * between peers. The children print result rows as JSON lines on stdout and
 * progress on stderr. A child that fails or overruns its time limit costs
 * only its own rows: the suite reports it and goes on.
 *
 * `inProcess` runs our engine and tfjs in this process instead (the smoke
 * test uses it: no bundle needed).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RunContext } from './context';
import { runOurs } from './ours';
import { runTfjs } from './tfjs';
import type { ResultRow, SuiteConfig } from './workloads';

export const IMPLS = ['ours', 'tfjs-wasm', 'tfjs-cpu', 'pytorch'] as const;
export type Impl = (typeof IMPLS)[number];

export interface SuiteOptions {
  config: SuiteConfig;
  impls: readonly Impl[];
  /** Repository root (for bench/torch_bench.py). */
  root: string;
  /** The bundle to start children from; required unless inProcess. */
  script?: string;
  inProcess?: boolean;
  python?: string;
  /** Per implementation. */
  timeoutMs: number;
  log(line: string): void;
}

export interface SuiteResult {
  rows: ResultRow[];
  /** Versions of the peers, and why an implementation was skipped or failed. */
  notes: string[];
}

export const DEFAULT_PYTHON = '/usr/bin/python3';

export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const rows: ResultRow[] = [];
  const notes: string[] = [];
  for (const impl of options.impls) {
    options.log(`— ${impl}`);
    const started = performance.now();
    try {
      if (impl === 'pytorch') await runPytorch(options, rows, notes);
      else if (options.inProcess) await runInProcess(impl, options, rows);
      else await runChild(impl, options, rows, notes);
    } catch (err) {
      const message = `${impl}: failed (${err instanceof Error ? err.message : String(err)})`;
      notes.push(message);
      options.log(message);
    }
    options.log(`  ${impl} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return { rows, notes };
}

/** Runs one implementation here; also the body of a child process. */
export async function runImplementation(impl: Exclude<Impl, 'pytorch'>, ctx: RunContext, root: string): Promise<void> {
  if (impl === 'ours') await runOurs(ctx, root);
  else await runTfjs(ctx, impl === 'tfjs-wasm' ? 'wasm' : 'cpu');
}

async function runInProcess(impl: Exclude<Impl, 'pytorch'>, options: SuiteOptions, rows: ResultRow[]): Promise<void> {
  await runImplementation(impl, { config: options.config, emit: (row) => rows.push(row), log: options.log }, options.root);
}

function runChild(impl: Impl, options: SuiteOptions, rows: ResultRow[], notes: string[]): Promise<void> {
  if (!options.script) throw new Error('runSuite: a script is needed to start child processes');
  const args = ['--expose-gc', options.script, '--child', impl, '--config', JSON.stringify(options.config)];
  return collect(process.execPath, args, options, rows, notes);
}

async function runPytorch(options: SuiteOptions, rows: ResultRow[], notes: string[]): Promise<void> {
  const python = options.python ?? DEFAULT_PYTHON;
  const skip = (why: string) => {
    const line = `PyTorch: skipped (${why}; on Debian: apt-get install python3-torch)`;
    notes.push(line);
    options.log(line);
  };
  if (!existsSync(python)) return skip(`${python} not found`);
  const probe = await output(python, ['-c', 'import torch']);
  if (probe.code !== 0) return skip(`${python} cannot import torch`);
  const script = path.join(options.root, 'bench', 'torch_bench.py');
  await collect(python, [script, JSON.stringify(options.config)], options, rows, notes);
}

/**
 * The PyTorch peer as the run header shows it (torch's version, its threads, the BLAS it loaded: bench/torch_bench.py
 * `--info`), or why it will be skipped.
 */
export async function pytorchInfo(root: string, python: string = DEFAULT_PYTHON): Promise<string> {
  if (!existsSync(python)) return `PyTorch: ${python} not found`;
  const rows: ResultRow[] = [];
  const notes: string[] = [];
  const options = { root, timeoutMs: 60_000, log: () => {} };
  try {
    await collect(python, [path.join(root, 'bench', 'torch_bench.py'), '--info'], options, rows, notes);
  } catch (err) {
    return `PyTorch: not available (${err instanceof Error ? err.message : String(err)})`;
  }
  return notes[0] ?? 'PyTorch: no info line';
}

/** The note for the PyTorch script's info line. */
export function pytorchNote(info: Record<string, unknown>): string {
  const threads = Number(info['threads']);
  return `PyTorch ${String(info['torch'])}, ${threads} thread${threads === 1 ? '' : 's'}, BLAS: ${String(info['blas'])}`;
}

/** Starts a child, turns its JSON stdout lines into rows (and an `info` line into a note), relays stderr. */
function collect(command: string, args: string[], options: Pick<SuiteOptions, 'root' | 'timeoutMs' | 'log'>, rows: ResultRow[], notes: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.root, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stopped after the time limit of ${options.timeoutMs / 1000} s`));
    }, options.timeoutMs);
    let pending = '';
    let errors = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line) accept(line);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      errors = (errors + chunk).slice(-2000);
      for (const line of chunk.split('\n')) if (line.trim()) options.log(`  ${line}`);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`exit code ${code}${errors ? `: ${errors.trim().split('\n').pop()}` : ''}`));
    });

    function accept(line: string): void {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        options.log(`  ${line}`);
        return;
      }
      if (isRow(parsed)) {
        rows.push(parsed);
        options.log(`  ${parsed.workload}: ${parsed.value.toPrecision(4)} ${parsed.unit}`);
      } else if (parsed && typeof parsed === 'object' && 'info' in parsed) {
        const info = (parsed as { info: Record<string, unknown> }).info;
        notes.push(pytorchNote(info));
      }
    }
  });
}

function isRow(x: unknown): x is ResultRow {
  const r = x as Partial<ResultRow> | null;
  return !!r && typeof r.workload === 'string' && typeof r.impl === 'string' && typeof r.metric === 'string' && typeof r.value === 'number' && typeof r.unit === 'string';
}

function output(command: string, args: string[]): Promise<{ code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.on('error', () => resolve({ code: -1 }));
    child.on('close', (code) => resolve({ code }));
  });
}
