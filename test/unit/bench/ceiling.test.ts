import { describe, expect, it } from 'vitest';
import { ceilingCaption, ceilingCells, oneThreadGemmPeak } from '../../../bench/ceiling';
import { ceilingSection, markdownTable } from '../../../bench/report';
import { charGptStepFlops, mlpStepFlops, mnistCnnStepFlops, trainingStepFlops } from '../../../bench/trainingWork';
import { FULL_SIZES, type ResultRow } from '../../../bench/workloads';

const row = (workload: string, impl: string, value: number, unit = 'steps/s'): ResultRow => ({ workload, impl, metric: 'median throughput', value, unit });

describe('the work of a training step', () => {
  it('counts an MLP layer by layer: forward, weight gradient, and the input gradient of every layer but the first', () => {
    // 784-256-256-10 at batch 128, written out product by product.
    const forward = 128 * (784 * 256) + 128 * (256 * 256) + 128 * (256 * 10);
    const weightGrads = forward;
    const inputGrads = 128 * (256 * 256) + 128 * (256 * 10);
    expect(mlpStepFlops([784, 256, 256, 10], 128)).toBe(2 * (forward + weightGrads + inputGrads));
    expect(trainingStepFlops('mlp784', FULL_SIZES)).toBe(155_058_176);
  });

  it("counts PyTorch's MNIST CNN from its output sizes 26², 24², 12²", () => {
    const conv1 = 64 * 26 * 26 * 32 * 1 * 9;
    const conv2 = 64 * 24 * 24 * 64 * 32 * 9;
    const fc1 = 64 * 9216 * 128;
    const fc2 = 64 * 128 * 10;
    expect(mnistCnnStepFlops(FULL_SIZES.mnistCnn)).toBe(2 * (3 * (conv1 + conv2 + fc1 + fc2) - conv1));
    expect(trainingStepFlops('mnist-cnn', FULL_SIZES) / 1e9).toBeCloseTo(4.58, 2);
  });

  it("counts nanoGPT's projections, attention's two T×T products and the head, three passes each", () => {
    const tokens = 16 * 64;
    const perBlock = tokens * (128 * 384 + 128 * 128 + 128 * 512 + 512 * 128) + 16 * 4 * (64 * 32 * 64) * 2;
    const head = tokens * 128 * 65;
    expect(charGptStepFlops(FULL_SIZES.charGpt)).toBe(6 * (4 * perBlock + head));
  });
});

describe('what the hardware allows', () => {
  const rows = [
    row('char-gpt', 'ours', 4), row('char-gpt', 'pytorch', 10), row('char-gpt', 'tfjs-wasm', 2), row('char-gpt-2t', 'ours', 6),
    row('gemm256-nn', 'ours', 50, 'GFLOP/s'), row('gemm1024-tn', 'ours', 60, 'GFLOP/s'), row('gemm1024-nn', 'pytorch', 100, 'GFLOP/s'),
    row('gemm1024-nn-2t', 'ours', 110, 'GFLOP/s'),
  ];
  const gflop = trainingStepFlops('char-gpt', FULL_SIZES) / 1e9;

  it('takes the best one-thread GEMM of the run as the peak, and none when there is none', () => {
    expect(oneThreadGemmPeak(rows)).toBe(60);
    expect(oneThreadGemmPeak(rows.filter((r) => r.workload !== 'gemm1024-tn' && r.workload !== 'gemm256-nn'))).toBeUndefined();
  });

  it('gives effective GFLOP/s per implementation and the steps/s at the GEMM peak against PyTorch', () => {
    const cells = ceilingCells(rows)!;
    expect(cells).toHaveLength(2);
    const [id, perStep, ours, ours2, tfjs, torch, at1, at2] = cells[1]!;
    expect(id).toBe('char-gpt');
    expect(Number(perStep)).toBeCloseTo(gflop, 2);
    expect(Number(ours)).toBeCloseTo(4 * gflop, 1);
    expect(Number(ours2)).toBeCloseTo(6 * gflop, 1);
    expect(Number(tfjs)).toBeCloseTo(2 * gflop, 1);
    expect(Number(torch)).toBeCloseTo(10 * gflop, 1);
    expect(at1).toBe(`${Number((60 / gflop).toPrecision(3))} steps/s = ${(60 / gflop / 10).toFixed(2)}× pytorch`);
    expect(at2).toBe(`${Number((110 / gflop).toPrecision(3))} steps/s = ${(110 / gflop / 10).toFixed(2)}× pytorch`);
    expect(cells[0]![6]).toContain('GEMM 60 GFLOP/s');
    expect(ceilingCaption(rows)).toContain("PyTorch's own GEMM 1024³ in this run: 100 GFLOP/s");
  });

  it('is left out of a run without training workloads', () => {
    const gemmOnly = rows.filter((r) => r.workload.startsWith('gemm'));
    expect(ceilingCells(gemmOnly)).toBeNull();
    expect(ceilingSection(gemmOnly, markdownTable)).toEqual([]);
    expect(ceilingSection(rows, markdownTable).join('\n')).toMatch(/^\| workload \| GFLOP\/step/m);
  });
});
