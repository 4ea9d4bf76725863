/**
 * `weightscope init --json --values` prints torch's initial values: the
 * article's SimpleModel read from its Python source, against torch after
 * torch.manual_seed(0) (test/fixtures/torch_rng.json), and the output is one
 * JSON document with the inspection (which names its generator) and the values.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { printWithValues } from '../../cli/inspect';
import { inspectInitialization } from '../../engine/inspect/inspectInit';
import { resolveText } from '../unit/pymodel/helpers';
import { expectTensor, readTorchRngFixture, type TensorRecord } from './helpers/torchRng';

const simple = (readTorchRngFixture().models as { name: string; source: string; tensors: { name: string; result: TensorRecord }[] }[]).find((m) => m.name === 'SimpleModel')!;

afterEach(() => vi.restoreAllMocks());

describe('weightscope init --json --values', () => {
  it('prints the inspection and every tensor’s values, torch’s for torch.manual_seed(0)', async () => {
    const spec = (await resolveText(simple.source)).models.find((m) => m.name === 'SimpleModel')!.result.spec!;
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    printWithValues(inspectInitialization(spec, { bins: 8 }), spec, undefined);
    vi.restoreAllMocks();
    const printed = JSON.parse(out) as { generator: { label: string }; parameters: unknown[]; values: Record<string, number[]> };
    expect(printed.generator.label).toBe('torch.manual_seed(0) · mt19937 (CPU)');
    expect(printed.parameters).toHaveLength(6);
    expect(Object.keys(printed.values)).toEqual(simple.tensors.map((t) => t.name));
    for (const t of simple.tensors) expectTensor(Float32Array.from(printed.values[t.name]!), t.result, t.name);
  });
});
