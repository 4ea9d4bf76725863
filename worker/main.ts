/**
 * Entry point of the engine worker thread (bundled to `dist/worker.js`).
 * The extension host starts it with `new Worker(...)`, so that engine work
 * never runs on the extension host's main thread.
 */
import { parentPort } from 'node:worker_threads';
import type { EngineMethod, EngineRequest, EngineResponse, EngineToWorker } from '../protocol/messages';
import { enableWasmFeatures } from '../host/wasmFeatures';
import { installGemmPool } from './gemmPool';
import { handlers, type HandlerContext } from './handlers';

const port = parentPort;
if (!port) throw new Error('worker/main.ts must run inside a worker thread');

// Large layers' products (training, signal measurements) on two threads, with the same bits; small
// products stay on this thread, and the pool's thread starts only with the first large product.
enableWasmFeatures();
installGemmPool();

const cancelled = new Set<number>();
const send = (message: EngineResponse): void => port.postMessage(message);

port.on('message', (message: EngineToWorker) => {
  if (message.kind === 'cancel') cancelled.add(message.id);
  else void run(message);
});

async function run(request: EngineRequest): Promise<void> {
  const ctx: HandlerContext<unknown> = {
    progress: (progress) => send({ kind: 'progress', id: request.id, progress } as EngineResponse),
    cancelled: () => cancelled.has(request.id),
    yieldToEvents: () => new Promise((resolve) => setImmediate(resolve)),
  };
  try {
    const handler = handlers[request.method as EngineMethod] as (p: unknown, c: HandlerContext<unknown>) => unknown;
    if (!handler) throw new Error(`Unknown engine method "${String(request.method)}"`);
    const result = await handler(request.params, ctx);
    send({ kind: 'result', id: request.id, result } as EngineResponse);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    send({ kind: 'error', id: request.id, message: e.message, name: e.name });
  } finally {
    cancelled.delete(request.id);
  }
}
