import { describe, expect, it } from 'vitest';
import { parseModelText, requireChain } from '../../../engine/model';
import { interruption, runMetaFor, withLiveness, type RunMeta } from '../../../engine/run';

const spec = requireChain(parseModelText('{"input": 2, "layers": [{"name": "fc", "type": "Linear", "out_features": 1}], "loss": "MSELoss", "seed": 1}', 'json', 'm').spec!, 'test');
const t0 = Date.parse('2026-12-01T10:00:00.000Z');
const running = (changes: Partial<RunMeta> = {}): RunMeta => ({
  ...runMetaFor(spec, { id: 'r', steps: 1000, createdAt: new Date(t0).toISOString() }), stepsDone: 420, updatedAt: new Date(t0).toISOString(), writer: { pid: 4242, host: 'here' }, ...changes,
});

describe('a running run whose writer died', () => {
  it('is interrupted at its last step when its writer process is gone (same host)', () => {
    const meta = withLiveness(running(), { now: t0 + 2000, host: 'here', processAlive: (pid) => (pid === 4242 ? false : true) });
    expect(meta.status).toBe('interrupted');
    expect(meta.reason).toBe('interrupted at step 420: its writer (process 4242) is gone');
    expect(meta.stepsDone).toBe(420);
  });

  it('goes on while its writer runs, even when run.json is old (a slow step)', () => {
    expect(withLiveness(running(), { now: t0 + 600_000, host: 'here', processAlive: () => true }).status).toBe('running');
  });

  it('on another host (or with no writer named), is interrupted once run.json has not changed for a minute', () => {
    const elsewhere = { host: 'there', processAlive: () => false };
    expect(interruption(running(), { now: t0 + 30_000, ...elsewhere })).toBeUndefined();
    expect(interruption(running(), { now: t0 + 90_000, ...elsewhere })).toBe('run.json has not been updated for 90 s');
    const old = running({ writer: undefined });
    expect(withLiveness(old, { now: t0 + 3 * 3600_000 }).reason).toBe('interrupted at step 420: run.json has not been updated for 3 h');
  });

  it('leaves runs that ended alone', () => {
    const done = running({ status: 'completed' });
    expect(withLiveness(done, { now: t0 + 1e9, host: 'here', processAlive: () => false })).toBe(done);
  });
});
