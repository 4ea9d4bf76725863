import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import { CANCELLED_IN_WORKER, type EngineMethod, type EngineMethods, type EngineRequest, type EngineResponse, type EngineToWorker } from '../protocol/messages';
import type { Log } from './log';

interface Pending {
  resolve(value: unknown): void;
  reject(reason: Error): void;
  progress?(report: unknown): void;
}

/** Raised when a request was cancelled by the user; callers show nothing for it. */
export class EngineCancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'EngineCancelled';
  }
}

export interface RequestOptions<P> {
  token?: vscode.CancellationToken;
  onProgress?: (report: P) => void;
}

/** How long a cancelled request may take to answer before the worker is terminated. */
const CANCEL_GRACE_MS = 1500;

/**
 * Talks to the engine worker thread. The worker is started lazily and
 * restarted after a crash. Cancelling a request first asks the worker to stop
 * at its next step boundary (long methods then answer with what they have);
 * a worker that does not answer within `CANCEL_GRACE_MS` (a synchronous
 * engine call cannot be interrupted) is terminated and restarted.
 */
export class EngineClient implements vscode.Disposable {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly workerPath: string,
    private readonly log: Log,
  ) {}

  request<M extends EngineMethod>(
    method: M,
    params: EngineMethods[M]['params'],
    options: RequestOptions<EngineMethods[M]['progress']> | vscode.CancellationToken = {},
  ): Promise<EngineMethods[M]['result']> {
    const { token, onProgress } = 'isCancellationRequested' in options ? { token: options, onProgress: undefined } : options;
    if (token?.isCancellationRequested) return Promise.reject(new EngineCancelled());
    this.ensureWorker();
    const id = this.nextId++;
    return new Promise<EngineMethods[M]['result']>((resolve, reject) => {
      let killTimer: ReturnType<typeof setTimeout> | undefined;
      const subscription = token?.onCancellationRequested(() => {
        this.log.info(`engine: cancelling request ${id} (${method})`);
        this.post({ kind: 'cancel', id });
        killTimer = setTimeout(() => {
          if (!this.pending.has(id)) return;
          this.log.info(`engine: request ${id} did not stop within ${CANCEL_GRACE_MS} ms; restarting the worker`);
          this.restart(new EngineCancelled());
        }, CANCEL_GRACE_MS);
      });
      const settle = (): void => {
        subscription?.dispose();
        clearTimeout(killTimer);
      };
      this.pending.set(id, {
        resolve: (v) => {
          settle();
          resolve(v as EngineMethods[M]['result']);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
        ...(onProgress ? { progress: onProgress as (r: unknown) => void } : {}),
      });
      this.log.debug(`engine: → ${method} #${id}`);
      this.post({ kind: 'request', id, method, params } as EngineRequest);
    });
  }

  private post(message: EngineToWorker): void {
    this.worker?.postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath, { resourceLimits: { maxOldGenerationSizeMb: 4096 } });
    worker.on('message', (response: EngineResponse) => this.onResponse(response));
    worker.on('error', (err) => {
      this.log.error(`engine worker crashed: ${err.stack ?? err.message}`);
      this.restart(new Error(`The Weightscope engine stopped unexpectedly: ${err.message}`));
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) {
        this.worker = undefined;
        if (code !== 0) this.rejectAll(new Error(`The Weightscope engine exited with code ${code}.`));
      }
    });
    this.worker = worker;
    this.log.info('engine: worker started');
    return worker;
  }

  private onResponse(response: EngineResponse): void {
    const pending = this.pending.get(response.id);
    if (!pending) return; // answer to a request that was cancelled meanwhile
    if (response.kind === 'progress') {
      pending.progress?.(response.progress);
      return;
    }
    this.pending.delete(response.id);
    if (response.kind === 'result') {
      this.log.debug(`engine: ← #${response.id}`);
      pending.resolve(response.result);
    } else if (response.name === CANCELLED_IN_WORKER) {
      // A handler that stopped at a cancel request (the inspection between tensors).
      pending.reject(new EngineCancelled());
    } else {
      const err = new Error(response.message);
      err.name = response.name;
      pending.reject(err);
    }
  }

  private restart(reason: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    this.rejectAll(reason);
    void worker?.terminate();
  }

  private rejectAll(reason: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(reason);
  }

  dispose(): void {
    this.restart(new EngineCancelled());
  }
}
