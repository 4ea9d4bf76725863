/**
 * The engine worker's request handlers: one per protocol method, each a thin
 * call into the engine. Kept free of `worker_threads` so that tests (and the
 * CLI) can call them directly.
 */
import type { EngineMethod, EngineMethods } from '../protocol/messages';
import { inspectInitialization } from '../engine/inspect/inspectInit';
import { ENGINE_VERSION } from '../engine/version';

type Handlers = { [M in EngineMethod]: (params: EngineMethods[M]['params']) => EngineMethods[M]['result'] };

export const handlers: Handlers = {
  ping: () => ({ engineVersion: ENGINE_VERSION }),
  inspectInit: ({ model, bins }) => inspectInitialization(model, { bins }),
};

export function handle<M extends EngineMethod>(method: M, params: EngineMethods[M]['params']): EngineMethods[M]['result'] {
  const handler = handlers[method] as (p: EngineMethods[M]['params']) => EngineMethods[M]['result'];
  if (!handler) throw new Error(`Unknown engine method "${String(method)}"`);
  return handler(params);
}
