import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import type { EngineMethod, EngineMethods, EngineRequest, EngineResponse } from '../protocol/messages';
import type { Log } from './log';

interface Pending {
  resolve(value: unknown): void;
  reject(reason: Error): void;
}

/** Raised when a request was cancelled by the user; callers show nothing for it. */
export class EngineCancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'EngineCancelled';
  }
}

/**
 * Talks to the engine worker thread. The worker is started lazily and
 * restarted after a crash. Cancelling a request terminates the worker:
 * engine calls are synchronous inside the worker, so that is the only way to
 * stop one at once, and the worker holds no state worth keeping between
 * requests (a fresh one starts in ~50 ms).
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
    token?: vscode.CancellationToken,
  ): Promise<EngineMethods[M]['result']> {
    if (token?.isCancellationRequested) return Promise.reject(new EngineCancelled());
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<EngineMethods[M]['result']>((resolve, reject) => {
      const subscription = token?.onCancellationRequested(() => {
        this.log.info(`engine: request ${id} (${method}) cancelled; restarting the worker`);
        this.restart(new EngineCancelled());
      });
      this.pending.set(id, {
        resolve: (v) => {
          subscription?.dispose();
          resolve(v as EngineMethods[M]['result']);
        },
        reject: (e) => {
          subscription?.dispose();
          reject(e);
        },
      });
      const message = { kind: 'request', id, method, params } as EngineRequest;
      this.log.debug(`engine: → ${method} #${id}`);
      worker.postMessage(message);
    });
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
    this.pending.delete(response.id);
    if (response.kind === 'result') {
      this.log.debug(`engine: ← #${response.id}`);
      pending.resolve(response.result);
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
