/**
 * One request to the engine worker from a benchmark's main thread, as the
 * extension's engine client makes it: a `request` message, then any number of
 * `progress` messages with the same id (long methods send one at least every
 * 100 ms), then one `result` or `error`. The promise settles on the result or
 * error only; it rejects, with a message that says what happened, when the
 * worker fails or exits first or when no answer comes within `timeoutMs` (so
 * a benchmark stops with a reason instead of waiting forever).
 */
import type { EngineMethod, EngineMethods, EngineResponse, EngineToWorker } from '../protocol/messages';

/** What the benchmarks need of a `worker_threads` Worker (a fake in the tests). */
export interface WorkerPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (m: EngineResponse) => void): unknown;
  on(event: 'error', listener: (e: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  off(event: 'message', listener: (m: EngineResponse) => void): unknown;
  off(event: 'error', listener: (e: Error) => void): unknown;
  off(event: 'exit', listener: (code: number) => void): unknown;
}

export type WorkerRequest = <M extends EngineMethod>(method: M, params: EngineMethods[M]['params'], timeoutMs: number) => Promise<EngineMethods[M]['result']>;

/** A request function over one worker; ids are numbered from 1. */
export function workerRequests(worker: WorkerPort): WorkerRequest {
  let nextId = 1;
  return (method, params, timeoutMs) => new Promise((resolve, reject) => {
    const id = nextId++;
    const started = performance.now();
    let progressMessages = 0;
    let lastProgress: unknown;
    const done = (): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const progressText = (): string => (progressMessages === 0 ? 'no progress reported' : `${progressMessages} progress messages, the last ${JSON.stringify(lastProgress)}`);
    const onMessage = (m: EngineResponse): void => {
      if (m.id !== id) return;
      if (m.kind === 'progress') {
        progressMessages++;
        lastProgress = m.progress;
        return;
      }
      done();
      if (m.kind === 'result') resolve(m.result as never);
      else reject(new Error(`${method}: the worker answered with an error: ${m.message}`));
    };
    const onError = (error: Error): void => {
      done();
      reject(new Error(`${method}: the worker failed: ${error.message}`));
    };
    const onExit = (code: number): void => {
      done();
      reject(new Error(`${method}: the worker exited (code ${code}) before answering (${progressText()})`));
    };
    const timer = setTimeout(() => {
      done();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      reject(new Error(`${method}: no answer from the worker after ${seconds} s (${progressText()})`));
    }, timeoutMs);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ kind: 'request', id, method, params } as EngineToWorker);
  });
}
