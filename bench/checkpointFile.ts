/**
 * A GPT-2 small checkpoint written for the checkpoint benchmark: nanoGPT's
 * `state_dict` names and shapes (the tied `lm_head.weight` left out, as
 * safetensors stores a tensor once), float32, 124,439,808 elements, about
 * 498 MB. The file is written a tensor (and for the embedding a slice) at a
 * time, so writing it costs little memory. The values are N(0, 0.02)-like
 * (a sum of two uniforms from a 32-bit xorshift generator, scaled), with
 * LayerNorm weights 1 and biases 0 as nanoGPT initializes them; only their
 * count and layout matter for the timing.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Gpt2Config } from './models';

/** Names and shapes in nanoGPT's `state_dict` order. */
export function gpt2Tensors(c: Gpt2Config): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [
    { name: 'transformer.wte.weight', shape: [c.vocabSize, c.nEmbd] },
    { name: 'transformer.wpe.weight', shape: [c.blockSize, c.nEmbd] },
  ];
  for (let i = 0; i < c.nLayer; i++) {
    const p = `transformer.h.${i}`;
    out.push(
      { name: `${p}.ln_1.weight`, shape: [c.nEmbd] }, { name: `${p}.ln_1.bias`, shape: [c.nEmbd] },
      { name: `${p}.attn.c_attn.weight`, shape: [3 * c.nEmbd, c.nEmbd] }, { name: `${p}.attn.c_attn.bias`, shape: [3 * c.nEmbd] },
      { name: `${p}.attn.c_proj.weight`, shape: [c.nEmbd, c.nEmbd] }, { name: `${p}.attn.c_proj.bias`, shape: [c.nEmbd] },
      { name: `${p}.ln_2.weight`, shape: [c.nEmbd] }, { name: `${p}.ln_2.bias`, shape: [c.nEmbd] },
      { name: `${p}.mlp.c_fc.weight`, shape: [4 * c.nEmbd, c.nEmbd] }, { name: `${p}.mlp.c_fc.bias`, shape: [4 * c.nEmbd] },
      { name: `${p}.mlp.c_proj.weight`, shape: [c.nEmbd, 4 * c.nEmbd] }, { name: `${p}.mlp.c_proj.bias`, shape: [c.nEmbd] },
    );
  }
  out.push({ name: 'transformer.ln_f.weight', shape: [c.nEmbd] }, { name: 'transformer.ln_f.bias', shape: [c.nEmbd] });
  return out;
}

/** Writes the checkpoint to `file`; returns its size in bytes and its element count. */
export function writeGpt2Safetensors(file: string, c: Gpt2Config): { bytes: number; elements: number } {
  const tensors = gpt2Tensors(c);
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    const bytes = 4 * t.shape.reduce((a, b) => a * b, 1);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setUint32(0, json.length, true);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, prefix);
    writeSync(fd, new TextEncoder().encode(json));
    let state = 0x9e3779b9 | 0;
    const slice = new Float32Array(1 << 20);
    for (const t of tensors) {
      const numel = t.shape.reduce((a, b) => a * b, 1);
      const constant = /\.ln_[12f]?\.?(weight|bias)$|ln_f\.(weight|bias)$/.test(t.name) ? (t.name.endsWith('weight') ? 1 : 0) : null;
      for (let done = 0; done < numel; done += slice.length) {
        const n = Math.min(slice.length, numel - done);
        for (let i = 0; i < n; i++) {
          if (constant !== null) {
            slice[i] = constant;
            continue;
          }
          state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
          const u = (state >>> 0) / 4294967296;
          state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
          const v = (state >>> 0) / 4294967296;
          // The sum of two uniforms on [0, 1) has variance 1/6: scale to std 0.02.
          slice[i] = (u + v - 1) * 0.02 * Math.sqrt(6);
        }
        writeSync(fd, slice.subarray(0, n));
      }
    }
  } finally {
    closeSync(fd);
  }
  return { bytes: 8 + json.length + offset, elements: offset / 4 };
}
