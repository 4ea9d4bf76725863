/** `weightscope weights`: the report of a checkpoint on disk, read through Node file handles. */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { confinedOpener, confinementRoot } from '../../../host/checkpointFiles';
import { weightsLines, weightsReport } from '../../../cli/weights';
import { FIXTURES } from '../checkpoint/fixtures';

const scratch = mkdtempSync(path.join(tmpdir(), 'weights-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('weightscope weights', () => {
  it('summarizes every tensor of a torch.save file, tied weights counted once', async () => {
    const report = await weightsReport(path.join(FIXTURES, 'model.pt'), 10);
    expect(report.format).toBe('torch-zip');
    expect(report.tensors).toHaveLength(23);
    const total = report.tensors.reduce((n, t) => n + t.numel, 0);
    expect(report.parameterCount).toBe(total - 15); // head.weight is embed.weight
    const fc = report.tensors.find((t) => t.name === 'fc1.weight')!;
    expect(fc.histogram!.counts).toHaveLength(10);
    const { header, rows } = weightsLines(report);
    expect(header).toContain('L2 norm');
    expect(rows.find((r) => r[0] === 'head.weight')!.at(-1)).toBe('tied to embed.weight');
  });

  it('says where the weights were found and which prefix was removed', async () => {
    const { heading } = weightsLines(await weightsReport(path.join(FIXTURES, 'ddp.pth'), 4));
    expect(heading.join('\n')).toMatch(/under \['model'\]; also in the file: epoch/);
    expect(heading.join('\n')).toMatch(/prefix 'module\.' was removed/);
  });

  it('reads sharded safetensors through the index', async () => {
    const report = await weightsReport(path.join(FIXTURES, 'sharded/model.safetensors.index.json'), 4);
    expect(report.tensors.map((t) => t.name)).toEqual(['encoder.weight', 'encoder.bias', 'decoder.weight']);
  });

  it('refuses a shard outside the folder, even through a link', async () => {
    const inside = path.join(scratch, 'project');
    const outside = path.join(scratch, 'elsewhere');
    mkdirSync(inside);
    mkdirSync(outside);
    copyFileSync(path.join(FIXTURES, 'model.safetensors'), path.join(outside, 'secret.safetensors'));
    symlinkSync(path.join(outside, 'secret.safetensors'), path.join(inside, 'link.safetensors'));
    const index = path.join(inside, 'model.safetensors.index.json');
    writeFileSync(index, JSON.stringify({ weight_map: { 'layer.f32': 'link.safetensors' } }));
    expect(confinementRoot(index, '/nowhere')).toBe(inside);
    await expect(confinedOpener(index, inside)('link.safetensors')).rejects.toThrow(/outside/);
    await expect(weightsReport(index, 4)).rejects.toThrow(/refused to open link\.safetensors: it lies outside/);
  });

  it('reports a missing file plainly', async () => {
    await expect(weightsReport(path.join(scratch, 'none.pt'), 4)).rejects.toThrow(/no such file/);
  });
});

describe('weightscope weights --model --init', () => {
  it('adds the initializer, theory std, std ratio and drift columns', async () => {
    const { readPythonModel } = await import('../../../cli/pythonModel');
    const { readFileSync } = await import('node:fs');
    const modelFile = path.join(FIXTURES, 'trained/mlp.py');
    const spec = (await readPythonModel(readFileSync(modelFile, 'utf8'), undefined, { file: modelFile })).spec!;
    const report = await weightsReport(path.join(FIXTURES, 'trained/trained.pt'), { bins: 8, model: { spec, file: modelFile }, init: path.join(FIXTURES, 'trained/initial.pt') });
    const { header, rows } = weightsLines(report);
    expect(header).toEqual(expect.arrayContaining(['initializer', 'theory std', 'std ratio', 'drift']));
    const fc1 = rows.find((r) => r[0] === 'fc1.weight')!;
    expect(fc1[header.indexOf('theory std')]).toBe(Math.sqrt(2 / 16).toPrecision(4));
    expect(Number(fc1[header.indexOf('drift')])).toBeGreaterThan(0.1);
  });

  it('refuses a model whose state_dict the checkpoint is not', async () => {
    const { readPythonModel } = await import('../../../cli/pythonModel');
    const { readFileSync } = await import('node:fs');
    const modelFile = path.join(FIXTURES, 'trained/mlp.py');
    const spec = (await readPythonModel(readFileSync(modelFile, 'utf8'), undefined, { file: modelFile })).spec!;
    await expect(weightsReport(path.join(FIXTURES, 'ddp.pth'), { bins: 4, model: { spec, file: modelFile } })).rejects.toThrow(/is not a state_dict of TinyMLP .*Missing key/);
  });
});
