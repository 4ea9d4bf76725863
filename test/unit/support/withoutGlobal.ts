/**
 * Removes a global (e.g. WebAssembly, SharedArrayBuffer) for the calling test
 * file, to test the engine where a runtime lacks it. Modules that read the
 * global must be imported after this runs (dynamic import in the tests);
 * vitest isolates each file, so no other file sees the change.
 */
import { afterAll, beforeAll, vi } from 'vitest';

export function withoutGlobal(name: string): void {
  beforeAll(() => {
    vi.stubGlobal(name, undefined);
  });
  afterAll(() => {
    vi.unstubAllGlobals();
  });
}
