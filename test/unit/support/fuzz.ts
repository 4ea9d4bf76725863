/**
 * Shared settings of the fuzz properties (every reader of workspace files has one: model JSON and YAML, Python,
 * CSV, NPY, safetensors, checkpoints, run folders).
 *
 * The default run keeps CI cheap (each reader gets at least 10,000 cases); `WEIGHTSCOPE_FUZZ=nightly` multiplies
 * every count by 10 (at least 100,000 cases a reader) and draws fresh seeds, and `WEIGHTSCOPE_FUZZ_SEED=n`
 * replays one seed.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

export const NIGHTLY = process.env.WEIGHTSCOPE_FUZZ === 'nightly';

/** Cases for a property: `runs` by default, ten times as many in the nightly run. */
export function fuzzRuns(runs: number): number {
  return NIGHTLY ? runs * 10 : runs;
}

/**
 * fast-check's options for a property of `runs` cases. The default run is seeded, so that CI is deterministic
 * (a red build is a change's fault); the nightly run draws a fresh seed each time (fast-check prints it with a
 * counterexample) to find what the fixed seed does not. WEIGHTSCOPE_FUZZ_SEED=n replays a seed.
 */
export function fuzzOptions(runs: number): { numRuns: number; seed?: number } {
  const seed = process.env.WEIGHTSCOPE_FUZZ_SEED;
  return { numRuns: fuzzRuns(runs), ...(seed ? { seed: Number(seed) } : NIGHTLY ? {} : { seed: DEFAULT_SEED }) };
}

const DEFAULT_SEED = 20261205;

/**
 * The longest a single case may take. A reader that loops forever never returns, so the test's own timeout
 * (vitest's, 60 s) is what stops it; a case that returns late fails here with its time.
 */
export const CASE_LIMIT_MS = 5_000;

export function withinLimit<T>(work: () => T): T {
  const started = performance.now();
  const result = work();
  const ms = performance.now() - started;
  if (ms > CASE_LIMIT_MS) throw new Error(`a case took ${ms.toFixed(0)} ms (limit ${CASE_LIMIT_MS} ms)`);
  return result;
}

export async function withinLimitAsync<T>(work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  if (ms > CASE_LIMIT_MS) throw new Error(`a case took ${ms.toFixed(0)} ms (limit ${CASE_LIMIT_MS} ms)`);
  return result;
}

/** Every diagnostic's range lies inside a document of `length` characters, and says something. */
export function expectInside(diagnostics: readonly { range: { start: number; end: number }; message: string }[], length: number): void {
  for (const d of diagnostics) {
    expect(d.range.start).toBeGreaterThanOrEqual(0);
    expect(d.range.end).toBeGreaterThanOrEqual(d.range.start);
    expect(d.range.end).toBeLessThanOrEqual(length);
    expect(d.message.length).toBeGreaterThan(0);
  }
}

export interface Mutation {
  at: number;
  length: number;
  kind: 'delete' | 'duplicate' | 'insert';
  token: string;
}

/** Mutations of a text: delete, duplicate, or insert one of `tokens`. */
export function textMutation(tokens: readonly string[]): fc.Arbitrary<Mutation> {
  return fc.record({
    at: fc.nat(),
    length: fc.nat({ max: 12 }),
    kind: fc.constantFrom('delete' as const, 'duplicate' as const, 'insert' as const),
    token: fc.constantFrom(...tokens),
  });
}

export function mutate(text: string, m: Mutation): string {
  const at = m.at % (text.length + 1);
  if (m.kind === 'delete') return text.slice(0, at) + text.slice(at + m.length);
  if (m.kind === 'duplicate') return text.slice(0, at + m.length) + text.slice(at, at + m.length) + text.slice(at + m.length);
  return text.slice(0, at) + m.token + text.slice(at);
}
