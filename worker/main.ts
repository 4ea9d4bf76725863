/**
 * Entry point of the engine worker thread (bundled to `dist/worker.js`).
 * The extension host starts it with `new Worker(...)`, so that engine work
 * never runs on the extension host's main thread.
 */
import { parentPort } from 'node:worker_threads';
import type { EngineRequest, EngineResponse } from '../protocol/messages';
import { handle } from './handlers';

const port = parentPort;
if (!port) throw new Error('worker/main.ts must run inside a worker thread');

port.on('message', (request: EngineRequest) => {
  let response: EngineResponse;
  try {
    response = { kind: 'result', id: request.id, result: handle(request.method, request.params) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    response = { kind: 'error', id: request.id, message: e.message, name: e.name };
  }
  port.postMessage(response);
});
