/**
 * The benchmarks' request to the engine worker: progress messages with the
 * request's id must not end it (the init-inspection benchmarks once stopped
 * listening at the first progress message and then waited forever for a
 * result they had already been sent), and a worker that fails, exits or stays
 * silent ends it with a message instead of a hang.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { EngineResponse } from '../../../protocol/messages';
import { workerRequests, type WorkerPort } from '../../../bench/workerRequest';

/** A worker that records what is posted to it; the test plays its answers. */
class FakeWorker extends EventEmitter {
  posted: { id: number; method: string }[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message as { id: number; method: string });
  }
  answer(m: EngineResponse): void {
    this.emit('message', m);
  }
}

const port = (w: FakeWorker) => w as unknown as WorkerPort;
const inspection = { parameterCount: 3 } as never;
const progress = { done: 1, total: 3, name: 'fc.weight' };

describe('workerRequests', () => {
  it('resolves with the result that follows progress messages of the same request', async () => {
    const w = new FakeWorker();
    const pending = workerRequests(port(w))('inspectInit', { model: {} as never, bins: 40 }, 10_000);
    const { id } = w.posted[0]!;
    w.answer({ kind: 'progress', id, progress });
    w.answer({ kind: 'progress', id, progress: { ...progress, done: 2 } });
    w.answer({ kind: 'result', id: id + 1, result: { engineVersion: 'other request' } });
    w.answer({ kind: 'result', id, result: inspection });
    await expect(pending).resolves.toBe(inspection);
    expect(w.listenerCount('message') + w.listenerCount('exit') + w.listenerCount('error')).toBe(0);
  });

  it('numbers requests and keeps each one to its own answer', async () => {
    const w = new FakeWorker();
    const request = workerRequests(port(w));
    const first = request('ping', {}, 10_000);
    const second = request('ping', {}, 10_000);
    expect(w.posted.map((m) => m.id)).toEqual([1, 2]);
    w.answer({ kind: 'result', id: 2, result: { engineVersion: 'two' } });
    w.answer({ kind: 'result', id: 1, result: { engineVersion: 'one' } });
    await expect(first).resolves.toEqual({ engineVersion: 'one' });
    await expect(second).resolves.toEqual({ engineVersion: 'two' });
  });

  it("rejects with the worker's error message", async () => {
    const w = new FakeWorker();
    const pending = workerRequests(port(w))('ping', {}, 10_000);
    w.answer({ kind: 'error', id: 1, message: 'bad model', name: 'Error' });
    await expect(pending).rejects.toThrow('ping: the worker answered with an error: bad model');
  });

  it('rejects when the worker exits or fails before answering', async () => {
    const w = new FakeWorker();
    const request = workerRequests(port(w));
    const exited = request('inspectInit', { model: {} as never, bins: 40 }, 10_000);
    w.answer({ kind: 'progress', id: 1, progress });
    w.emit('exit', 1);
    await expect(exited).rejects.toThrow(/exited \(code 1\) before answering \(1 progress messages, the last .*fc\.weight/);
    const failed = request('ping', {}, 10_000);
    w.emit('error', new Error('out of memory'));
    await expect(failed).rejects.toThrow('ping: the worker failed: out of memory');
  });

  it('rejects, saying how far it got, when no answer comes in time', async () => {
    const w = new FakeWorker();
    const pending = workerRequests(port(w))('inspectInit', { model: {} as never, bins: 40 }, 30);
    w.answer({ kind: 'progress', id: 1, progress });
    await expect(pending).rejects.toThrow(/inspectInit: no answer from the worker after \d+\.\d s \(1 progress messages/);
    expect(w.listenerCount('message')).toBe(0);
  });
});
