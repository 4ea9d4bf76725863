/**
 * The engine worker's request handlers: one per protocol method, each a thin
 * call into the engine. Long methods report progress and check for
 * cancellation through the context. Kept free of `worker_threads` so that
 * tests can call them directly.
 */
import type { EngineMethod, EngineMethods } from '../protocol/messages';
import { compareInitializations, defaultSeeds } from '../engine/inspect/compare';
import { inspectInit } from './inspect';
import { measureSignal } from '../engine/inspect/signal';
import { ENGINE_VERSION } from '../engine/version';
import { loadResources } from './resources';
import { train } from './train';
import { checkpointModels, readCheckpoint, readCheckpointDrift } from './checkpoint';

export interface HandlerContext<P> {
  progress(report: P): void;
  /** True once the extension asked to stop this request. */
  cancelled(): boolean;
  /** Lets queued messages (such as a cancel) in; long handlers await it between chunks of work. */
  yieldToEvents(): Promise<void>;
}

type Handler<M extends EngineMethod> = (
  params: EngineMethods[M]['params'],
  ctx: HandlerContext<EngineMethods[M]['progress']>,
) => EngineMethods[M]['result'] | Promise<EngineMethods[M]['result']>;

export const handlers: { [M in EngineMethod]: Handler<M> } = {
  ping: () => ({ engineVersion: ENGINE_VERSION }),
  loadResources,
  inspectInit,
  measureSignal: ({ model, dataset, checkpoint }) => measureSignal(model, {
    ...(dataset ? { data: dataset } : {}),
    ...(checkpoint ? { checkpoint: new Map(Object.entries(checkpoint)) } : {}),
  }),
  compareInit: ({ model, bins, seeds, dataset }) => compareInitializations(model, {
    bins,
    seeds: defaultSeeds(model, seeds),
    // Half the examples of a single measurement: a comparison runs variants × seeds of them.
    examples: 128,
    ...(dataset ? { data: dataset } : {}),
  }),
  train,
  readCheckpoint,
  checkpointDrift: readCheckpointDrift,
  checkpointModels,
};
