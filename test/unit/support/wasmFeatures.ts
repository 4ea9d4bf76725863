// Vitest setup: the runtime features the CLI and the engine worker turn on at start-up (host/wasmFeatures.ts).
import { enableWasmFeatures } from '../../../host/wasmFeatures';

enableWasmFeatures();
