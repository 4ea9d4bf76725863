/**
 * Recurrent layers over a whole sequence, as torch.nn.LSTM, GRU and RNN
 * compute them: `num_layers` stacked layers, each one or two directions
 * (bidirectional: the second runs from the last step to the first and its
 * outputs are concatenated after the first's), `batch_first`, LSTM's
 * `proj_size`, dropout on the inputs of every layer but the first. The
 * weights are given by torch's parameter names (weight_ih_l0,
 * weight_hh_l0_reverse, bias_ih_l1, weight_hr_l0, …), gates stacked in
 * torch's order. Per step, with x the layer's input and h, c the previous state:
 *
 *   LSTM (i, f, g, o):  i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(…), g = tanh(…), o = σ(…)
 *                       c' = f·c + i·g,   h' = o·tanh(c')   (with proj_size: h' = W_hr·(o·tanh(c')))
 *   GRU (r, z, n):      r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(…),
 *                       n = tanh(W_in x + b_in + r·(W_hn h + b_hn)),   h' = (1 − z)·n + z·h
 *   RNN:                h' = tanh or relu(W_ih x + b_ih + W_hh h + b_hh)
 *
 * Forward: the input projections of all steps are one matrix product
 * (X[T·B, I]·W_ihᵀ + b_ih), then one product per step for the recurrence.
 * Backward is backpropagation through time written out: per step (latest
 * first) the gradient of the gates' pre-activations A_t from ∂L/∂h_t (the
 * output's gradient plus what flows back from step t + 1) and ∂L/∂c_t; then
 *   ∂L/∂W_ih = Σ_t A_tᵀ·x_t,  ∂L/∂W_hh = Σ_t A_tᵀ·h_{t−1},  ∂L/∂b = Σ_t Σ_batch A_t,
 *   ∂L/∂x_t = A_t·W_ih,  ∂L/∂h_{t−1} = A_t·W_hh (+ z·∂L/∂h_t for the GRU),
 * each as one product over all steps (for the GRU, the hidden side of n's
 * pre-activation is multiplied by r first).
 *
 * The whole stack is one autograd node whose result packs [output, h_n, c_n];
 * `lstm`, `gru` and `rnn` return the three as tensors that read slices of it.
 *
 * Agreement with torch: float64 up to summation order (~1e-15). float32 computes like
 * torch's CPU path (float32 products, float32 states between steps) but its σ and tanh
 * are correctly rounded where torch's are vectorized approximations, and the weight
 * gradients are summed over steps in one product instead of step by step: agreement to
 * float32 rounding, accumulated over the steps.
 */
import type { TorchGenerator } from '../random';
import { allocate, scratch64, type DType, type FloatArray } from './dtype';
import { gemmNN, gemmNT, gemmTN } from './gemm';
import { commonDtype, opResult } from './op';
import { formatShape } from './shape';
import type { Tensor } from './tensor';

export type RecurrentMode = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

export interface RecurrentOptions {
  numLayers?: number;
  bidirectional?: boolean;
  /** Input and output are [B, T, F] instead of [T, B, F] (the states stay [layers·directions, B, H]). */
  batchFirst?: boolean;
  /** Dropout probability on the inputs of layers 2…; applied only when `training`, with `rng`. */
  dropout?: number;
  training?: boolean;
  rng?: TorchGenerator;
}

export interface RnnOptions extends RecurrentOptions {
  nonlinearity?: 'tanh' | 'relu';
}

/** The weights by torch's parameter names (`weight_ih_l0`, `bias_hh_l1_reverse`, `weight_hr_l0`, …). */
export type RecurrentWeights = Readonly<Record<string, Tensor>>;

export interface RecurrentResult {
  /** [T, B, D·H_out] (or [B, T, …] with batchFirst, [T, …] unbatched): the last layer's h at every step. */
  output: Tensor;
  /** [layers·D, B, H_out]: every layer's and direction's final h. */
  h: Tensor;
  /** LSTM only: [layers·D, B, H], the final cell states. */
  c?: Tensor;
}

const GATES: Record<RecurrentMode, number> = { lstm: 4, gru: 3, rnn_tanh: 1, rnn_relu: 1 };

export function lstm(input: Tensor, hx: { h: Tensor; c: Tensor } | null, weights: RecurrentWeights, options: RecurrentOptions = {}): RecurrentResult {
  return recurrent('lstm', input, hx ? [hx.h, hx.c] : null, weights, options);
}

export function gru(input: Tensor, h0: Tensor | null, weights: RecurrentWeights, options: RecurrentOptions = {}): RecurrentResult {
  return recurrent('gru', input, h0 ? [h0] : null, weights, options);
}

export function rnn(input: Tensor, h0: Tensor | null, weights: RecurrentWeights, options: RnnOptions = {}): RecurrentResult {
  const nonlinearity = options.nonlinearity ?? 'tanh';
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new RangeError(`rnn: unknown nonlinearity '${String(nonlinearity)}'`);
  return recurrent(nonlinearity === 'tanh' ? 'rnn_tanh' : 'rnn_relu', input, h0 ? [h0] : null, weights, options);
}

/** Sizes of the problem, read from the input and the weights. */
interface Spec {
  mode: RecurrentMode;
  dtype: DType;
  G: number;
  L: number;
  D: number;
  T: number;
  B: number;
  I: number;
  H: number;
  /** Size of h: proj_size, or H. */
  Hr: number;
  proj: boolean;
  bias: boolean;
  batchFirst: boolean;
  batched: boolean;
}

/** One layer-direction's weights. */
interface Cell {
  wih: Tensor;
  whh: Tensor;
  bih: Tensor | null;
  bhh: Tensor | null;
  whr: Tensor | null;
}

/** What one layer-direction's forward keeps for backward. */
interface Saved {
  /** Gate activations per step [T·B, G·H] (LSTM i, f, g, o; GRU r, z, n; unused for RNN). */
  act: FloatArray;
  /** h per step [T·B, Hr]. */
  hs: FloatArray;
  /** LSTM: c per step [T·B, H]; with proj, o·tanh(c) per step in `ms`. */
  cs: FloatArray | null;
  ms: FloatArray | null;
  /** GRU: W_hn·h + b_hn per step [T·B, H]. */
  hn: FloatArray | null;
}

const suffix = (l: number, d: number): string => `_l${l}${d === 1 ? '_reverse' : ''}`;

function cellsOf(op: string, weights: RecurrentWeights, L: number, D: number, bias: boolean, proj: boolean): Cell[] {
  const get = (name: string): Tensor => {
    const t = weights[name];
    if (t === undefined) throw new RangeError(`${op}: missing weight ${name}`);
    return t;
  };
  const cells: Cell[] = [];
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < D; d++) {
      const s = suffix(l, d);
      cells.push({
        wih: get(`weight_ih${s}`),
        whh: get(`weight_hh${s}`),
        bih: bias ? get(`bias_ih${s}`) : null,
        bhh: bias ? get(`bias_hh${s}`) : null,
        whr: proj ? get(`weight_hr${s}`) : null,
      });
    }
  }
  return cells;
}

function recurrent(mode: RecurrentMode, input: Tensor, state: Tensor[] | null, weights: RecurrentWeights, options: RecurrentOptions): RecurrentResult {
  const op = mode === 'lstm' ? 'lstm' : mode === 'gru' ? 'gru' : 'rnn';
  const L = options.numLayers ?? 1;
  const D = options.bidirectional ? 2 : 1;
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`${op}: num_layers must be a positive integer, got ${L}`);
  const first = weights['weight_hh_l0'];
  const firstIh = weights['weight_ih_l0'];
  if (!first || !firstIh) throw new RangeError(`${op}: missing weight_ih_l0 / weight_hh_l0`);
  const G = GATES[mode];
  const H = first.shape[0]! / G;
  const proj = weights['weight_hr_l0'] !== undefined;
  const Hr = proj ? weights['weight_hr_l0']!.shape[0]! : H;
  if (proj && mode !== 'lstm') throw new RangeError(`${op}: proj_size is only supported by LSTM`);
  const bias = weights['bias_ih_l0'] !== undefined;
  const cells = cellsOf(op, weights, L, D, bias, proj);
  const I = firstIh.shape[1]!;
  if (input.ndim !== 2 && input.ndim !== 3) throw new RangeError(`${op}: expected a 2-D (unbatched) or 3-D input, got ${formatShape(input.shape)}`);
  const batched = input.ndim === 3;
  const batchFirst = (options.batchFirst ?? false) && batched;
  const T = batched ? input.shape[batchFirst ? 1 : 0]! : input.shape[0]!;
  const B = batched ? input.shape[batchFirst ? 0 : 1]! : 1;
  if (input.shape[input.ndim - 1] !== I) throw new RangeError(`${op}: input ${formatShape(input.shape)} must have ${I} features (weight_ih_l0 is ${formatShape(firstIh.shape)})`);
  const all = cells.flatMap((c) => [c.wih, c.whh, c.bih, c.bhh, c.whr].filter((t): t is Tensor => t !== null));
  const dtype = commonDtype(op, input, ...all, ...(state ?? []));
  cells.forEach((c, k) => {
    const Iin = k < D ? I : D * Hr;
    const expect = (t: Tensor | null, shape: number[], name: string) => {
      if (t && (t.ndim !== shape.length || t.shape.some((v, i) => v !== shape[i]))) {
        throw new RangeError(`${op}: ${name}${suffix(Math.floor(k / D), k % D)} is ${formatShape(t.shape)}, expected ${formatShape(shape)}`);
      }
    };
    expect(c.wih, [G * H, Iin], 'weight_ih');
    expect(c.whh, [G * H, Hr], 'weight_hh');
    expect(c.bih, [G * H], 'bias_ih');
    expect(c.bhh, [G * H], 'bias_hh');
    expect(c.whr, [Hr, H], 'weight_hr');
  });
  const stateShapes = [batched ? [L * D, B, Hr] : [L * D, Hr], batched ? [L * D, B, H] : [L * D, H]];
  const expectedStates = mode === 'lstm' ? 2 : 1;
  if (state && state.length !== expectedStates) throw new RangeError(`${op}: expected ${expectedStates} initial states`);
  state?.forEach((s, i) => {
    const want = stateShapes[i]!;
    if (s.ndim !== want.length || s.shape.some((v, j) => v !== want[j])) {
      throw new RangeError(`${op}: expected hidden size ${formatShape(want)}, got ${formatShape(s.shape)}`);
    }
  });
  const p = options.dropout ?? 0;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${op}: dropout should be a number in range [0, 1], got ${p}`);
  const dropout = options.training && p > 0 && L > 1 ? p : 0;
  if (dropout > 0 && !options.rng) throw new RangeError(`${op}: dropout in training needs an rng`);

  const spec: Spec = { mode, dtype, G, L, D, T, B, I, H, Hr, proj, bias, batchFirst, batched };
  const { packed, backward } = runStack(spec, input.data, state?.[0]?.data ?? null, state?.[1]?.data ?? null, cells, dropout, options.rng ?? null);
  const inputs = [input, ...(state ?? []), ...all];
  const node = opResult(mode === 'lstm' ? 'LstmBackward' : mode === 'gru' ? 'GruBackward' : 'RnnBackward', packed, [packed.length], inputs, (g) => {
    const grads = backward(g);
    const out: (FloatArray | null)[] = [grads.input];
    if (state) {
      out.push(grads.h0);
      if (mode === 'lstm') out.push(grads.c0);
    }
    grads.cells.forEach((c, k) => {
      out.push(c.wih, c.whh);
      if (cells[k]!.bih) out.push(c.bih, c.bhh);
      if (cells[k]!.whr) out.push(c.whr);
    });
    return out;
  });
  const outLength = T * B * D * Hr;
  const hLength = L * D * B * Hr;
  const outShape = batched ? (batchFirst ? [B, T, D * Hr] : [T, B, D * Hr]) : [T, D * Hr];
  const result: RecurrentResult = {
    output: slice(node, 0, outShape),
    h: slice(node, outLength, stateShapes[0]!),
  };
  if (mode === 'lstm') result.c = slice(node, outLength + hLength, stateShapes[1]!);
  return result;
}

/** A tensor reading `shape`'s worth of `packed` from `offset`; its gradient lands there. */
function slice(packed: Tensor, offset: number, shape: number[]): Tensor {
  const length = shape.reduce((a, b) => a * b, 1);
  return opResult('SliceBackward', packed.data.subarray(offset, offset + length), shape, [packed], (g) => {
    const gp = allocate(packed.dtype, packed.numel);
    gp.set(g, offset);
    return [gp];
  });
}

const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));

interface CellGrads {
  wih: FloatArray;
  whh: FloatArray;
  bih: FloatArray | null;
  bhh: FloatArray | null;
  whr: FloatArray | null;
}

/** [T, B, F] ↔ [B, T, F]. */
function swapLeading(src: FloatArray, a: number, b: number, F: number, dst: FloatArray): void {
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) dst.set(src.subarray((i * b + j) * F, (i * b + j + 1) * F), (j * a + i) * F);
}

function runStack(s: Spec, x: FloatArray, h0: FloatArray | null, c0: FloatArray | null, cells: Cell[], dropout: number, rng: TorchGenerator | null) {
  const { dtype, L, D, T, B, I, H, Hr, mode } = s;
  const rows = T * B;
  // Time-major layer inputs: layerIn[0] is the input, layerIn[l] the (dropped-out) output of layer l − 1.
  const layerIn: FloatArray[] = [];
  const masks: (FloatArray | null)[] = [];
  let xTM = x;
  if (s.batchFirst) {
    xTM = allocate(dtype, x.length);
    swapLeading(x, B, T, I, xTM);
  }
  layerIn.push(xTM);
  masks.push(null);
  const saved: Saved[] = [];
  const hN = allocate(dtype, L * D * B * Hr);
  const cN = allocate(dtype, mode === 'lstm' ? L * D * B * H : 0);
  let out: FloatArray = xTM;
  for (let l = 0; l < L; l++) {
    const Iin = l === 0 ? I : D * Hr;
    out = allocate(dtype, rows * D * Hr);
    for (let d = 0; d < D; d++) {
      const k = l * D + d;
      const sv = forwardCell(s, cells[k]!, layerIn[l]!, Iin, d, h0?.subarray(k * B * Hr, (k + 1) * B * Hr) ?? null, c0?.subarray(k * B * H, (k + 1) * B * H) ?? null);
      saved.push(sv);
      for (let r = 0; r < rows; r++) out.set(sv.hs.subarray(r * Hr, (r + 1) * Hr), r * D * Hr + d * Hr);
      const last = d === 0 ? T - 1 : 0;
      hN.set(sv.hs.subarray(last * B * Hr, (last + 1) * B * Hr), k * B * Hr);
      if (mode === 'lstm') cN.set(sv.cs!.subarray(last * B * H, (last + 1) * B * H), k * B * H);
    }
    if (l + 1 < L) {
      if (dropout > 0) {
        const keep = 1 - dropout;
        const scale = dtype === 'float32' ? Math.fround(1 / Math.fround(keep)) : 1 / keep;
        const mask = allocate(dtype, out.length);
        const dropped = allocate(dtype, out.length);
        for (let i = 0; i < out.length; i++) {
          mask[i] = dropout < 1 && rng!.uniform() < keep ? scale : 0;
          dropped[i] = out[i]! * mask[i]!;
        }
        layerIn.push(dropped);
        masks.push(mask);
      } else {
        layerIn.push(out);
        masks.push(null);
      }
    }
  }
  let output = out;
  if (s.batchFirst) {
    output = allocate(dtype, out.length);
    swapLeading(out, T, B, D * Hr, output);
  }
  const packed = allocate(dtype, output.length + hN.length + cN.length);
  packed.set(output, 0);
  packed.set(hN, output.length);
  packed.set(cN, output.length + hN.length);

  const backward = (g: FloatArray) => {
    const outLength = output.length;
    let gOut: FloatArray = g.subarray(0, outLength);
    if (s.batchFirst) {
      const tm = allocate(dtype, outLength);
      swapLeading(gOut, B, T, D * Hr, tm);
      gOut = tm;
    }
    const ghN = g.subarray(outLength, outLength + hN.length);
    const gcN = g.subarray(outLength + hN.length);
    const gh0 = allocate(dtype, hN.length);
    const gc0 = allocate(dtype, cN.length);
    const cellGrads: CellGrads[] = new Array<CellGrads>(L * D);
    let gLayerIn: FloatArray = gOut;
    for (let l = L - 1; l >= 0; l--) {
      const Iin = l === 0 ? I : D * Hr;
      const gLayerOut = gLayerIn;
      gLayerIn = allocate(dtype, rows * Iin);
      for (let d = 0; d < D; d++) {
        const k = l * D + d;
        cellGrads[k] = backwardCell(
          s, cells[k]!, saved[k]!, layerIn[l]!, Iin, d, gLayerOut,
          ghN.subarray(k * B * Hr, (k + 1) * B * Hr), mode === 'lstm' ? gcN.subarray(k * B * H, (k + 1) * B * H) : null,
          h0?.subarray(k * B * Hr, (k + 1) * B * Hr) ?? null, c0?.subarray(k * B * H, (k + 1) * B * H) ?? null,
          gLayerIn, gh0.subarray(k * B * Hr, (k + 1) * B * Hr), mode === 'lstm' ? gc0.subarray(k * B * H, (k + 1) * B * H) : null,
        );
      }
      const mask = masks[l];
      if (mask) for (let i = 0; i < gLayerIn.length; i++) gLayerIn[i] = gLayerIn[i]! * mask[i]!;
    }
    let gx = gLayerIn;
    if (s.batchFirst) {
      gx = allocate(dtype, gLayerIn.length);
      swapLeading(gLayerIn, T, B, I, gx);
    }
    return { input: gx, h0: gh0, c0: gc0, cells: cellGrads };
  };
  return { packed, backward };
}

/** Step t of direction d at position s of its processing order. */
const stepAt = (d: number, s: number, T: number): number => (d === 0 ? s : T - 1 - s);

function forwardCell(sp: Spec, cell: Cell, xIn: FloatArray, Iin: number, d: number, h0: FloatArray | null, c0: FloatArray | null): Saved {
  const { dtype, G, T, B, H, Hr, mode } = sp;
  const GH = G * H;
  const rows = T * B;
  const xg = allocate(dtype, rows * GH);
  gemmNT(xIn, cell.wih.data, rows, Iin, GH, xg, cell.bih?.data ?? null);
  const act = allocate(dtype, mode === 'lstm' || mode === 'gru' ? rows * GH : 0);
  const hs = allocate(dtype, rows * Hr);
  const cs = mode === 'lstm' ? allocate(dtype, rows * H) : null;
  const ms = sp.proj ? allocate(dtype, rows * H) : null;
  const hn = mode === 'gru' ? allocate(dtype, rows * H) : null;
  const hg = allocate(dtype, B * GH);
  let hPrev: FloatArray = h0 ?? allocate(dtype, B * Hr);
  let cPrev: FloatArray = c0 ?? allocate(dtype, B * H);
  const whh = cell.whh.data;
  const bhh = cell.bhh?.data ?? null;
  for (let s = 0; s < T; s++) {
    const t = stepAt(d, s, T);
    gemmNT(hPrev, whh, B, Hr, GH, hg, bhh);
    for (let b = 0; b < B; b++) {
      const r = t * B + b;
      const xo = r * GH;
      const ho = b * GH;
      if (mode === 'lstm') {
        const m = sp.proj ? ms! : hs;
        for (let j = 0; j < H; j++) {
          const i = sigmoid(xg[xo + j]! + hg[ho + j]!);
          const f = sigmoid(xg[xo + H + j]! + hg[ho + H + j]!);
          const gg = Math.tanh(xg[xo + 2 * H + j]! + hg[ho + 2 * H + j]!);
          const o = sigmoid(xg[xo + 3 * H + j]! + hg[ho + 3 * H + j]!);
          act[xo + j] = i;
          act[xo + H + j] = f;
          act[xo + 2 * H + j] = gg;
          act[xo + 3 * H + j] = o;
          cs![r * H + j] = f * cPrev[b * H + j]! + i * gg;
          m[r * H + j] = act[xo + 3 * H + j]! * Math.tanh(cs![r * H + j]!);
        }
      } else if (mode === 'gru') {
        for (let j = 0; j < H; j++) {
          const rr = sigmoid(xg[xo + j]! + hg[ho + j]!);
          const z = sigmoid(xg[xo + H + j]! + hg[ho + H + j]!);
          act[xo + j] = rr;
          act[xo + H + j] = z;
          hn![r * H + j] = hg[ho + 2 * H + j]!;
          act[xo + 2 * H + j] = Math.tanh(xg[xo + 2 * H + j]! + act[xo + j]! * hg[ho + 2 * H + j]!);
          const n = act[xo + 2 * H + j]!;
          const zz = act[xo + H + j]!;
          hs[r * Hr + j] = (1 - zz) * n + zz * hPrev[b * Hr + j]!;
        }
      } else {
        for (let j = 0; j < H; j++) {
          const a = xg[xo + j]! + hg[ho + j]!;
          hs[r * Hr + j] = mode === 'rnn_tanh' ? Math.tanh(a) : Math.max(a, 0);
        }
      }
    }
    if (sp.proj) gemmNT(ms!.subarray(t * B * H, (t + 1) * B * H), cell.whr!.data, B, H, Hr, hs.subarray(t * B * Hr, (t + 1) * B * Hr));
    hPrev = hs.subarray(t * B * Hr, (t + 1) * B * Hr);
    if (cs) cPrev = cs.subarray(t * B * H, (t + 1) * B * H);
  }
  return { act, hs, cs, ms, hn };
}

/**
 * Backpropagation through time for one layer-direction. Adds ∂L/∂input into `gIn`, writes
 * ∂L/∂h0 (and ∂L/∂c0) into `gh0` (`gc0`) and returns the weight gradients.
 */
function backwardCell(
  sp: Spec, cell: Cell, sv: Saved, xIn: FloatArray, Iin: number, d: number, gOut: FloatArray,
  ghN: FloatArray, gcN: FloatArray | null, h0: FloatArray | null, c0: FloatArray | null,
  gIn: FloatArray, gh0: FloatArray, gc0: FloatArray | null,
): CellGrads {
  const { dtype, G, T, B, H, Hr, D, mode } = sp;
  const GH = G * H;
  const rows = T * B;
  const zerosH = allocate(dtype, B * Hr);
  const zerosC = allocate(dtype, B * H);
  // A_t: gradients of the gates' pre-activations, input side (ax) and hidden side (ah; differs for the GRU's n).
  const ax = allocate(dtype, rows * GH);
  const ah = mode === 'gru' ? allocate(dtype, rows * GH) : ax;
  // h_{t−1} of every step, so that ∂L/∂W_hh is one product.
  const hPrevAll = allocate(dtype, rows * Hr);
  const dhAll = sp.proj ? allocate(dtype, rows * Hr) : null;
  const dh = scratch64(B * Hr);
  const dhNext = scratch64(B * Hr);
  const dcNext = scratch64(B * H);
  const back = allocate(dtype, B * Hr); // A_t·W_hh
  const dm = sp.proj ? allocate(dtype, B * H) : null;
  const dhStep = sp.proj ? allocate(dtype, B * Hr) : null;
  dhNext.set(ghN);
  if (gcN) dcNext.set(gcN);
  const whh = cell.whh.data;
  for (let s = T - 1; s >= 0; s--) {
    const t = stepAt(d, s, T);
    const tPrev = d === 0 ? t - 1 : t + 1;
    const hPrev = s === 0 ? h0 ?? zerosH : sv.hs.subarray(tPrev * B * Hr, (tPrev + 1) * B * Hr);
    hPrevAll.set(hPrev, t * B * Hr);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < Hr; j++) dh[b * Hr + j] = gOut[(t * B + b) * D * Hr + d * Hr + j]! + dhNext[b * Hr + j]!;
    }
    if (mode === 'lstm') {
      const cPrev = s === 0 ? c0 ?? zerosC : sv.cs!.subarray(tPrev * B * H, (tPrev + 1) * B * H);
      // ∂L/∂(o·tanh c): through W_hr with a projection.
      let dmv: ArrayLike<number> = dh;
      if (sp.proj) {
        dhStep!.set(dh);
        dhAll!.set(dhStep!, t * B * Hr);
        gemmNN(dhStep!, cell.whr!.data, B, Hr, H, dm!);
        dmv = dm!;
      }
      for (let b = 0; b < B; b++) {
        const r = t * B + b;
        const xo = r * GH;
        for (let j = 0; j < H; j++) {
          const i = sv.act[xo + j]!;
          const f = sv.act[xo + H + j]!;
          const gg = sv.act[xo + 2 * H + j]!;
          const o = sv.act[xo + 3 * H + j]!;
          const tc = Math.tanh(sv.cs![r * H + j]!);
          const dmj = dmv[b * H + j]!;
          const dc = dcNext[b * H + j]! + dmj * o * (1 - tc * tc);
          ax[xo + j] = dc * gg * i * (1 - i);
          ax[xo + H + j] = dc * cPrev[b * H + j]! * f * (1 - f);
          ax[xo + 2 * H + j] = dc * i * (1 - gg * gg);
          ax[xo + 3 * H + j] = dmj * tc * o * (1 - o);
          dcNext[b * H + j] = dc * f;
        }
      }
      dhNext.fill(0);
    } else if (mode === 'gru') {
      for (let b = 0; b < B; b++) {
        const r = t * B + b;
        const xo = r * GH;
        for (let j = 0; j < H; j++) {
          const rr = sv.act[xo + j]!;
          const z = sv.act[xo + H + j]!;
          const n = sv.act[xo + 2 * H + j]!;
          const dhj = dh[b * H + j]!;
          const dan = dhj * (1 - z) * (1 - n * n);
          const ar = dan * sv.hn![r * H + j]! * rr * (1 - rr);
          const az = dhj * (hPrev[b * H + j]! - n) * z * (1 - z);
          ax[xo + j] = ar;
          ax[xo + H + j] = az;
          ax[xo + 2 * H + j] = dan;
          ah[xo + j] = ar;
          ah[xo + H + j] = az;
          ah[xo + 2 * H + j] = dan * rr;
          dhNext[b * H + j] = dhj * z;
        }
      }
    } else {
      for (let b = 0; b < B; b++) {
        const r = t * B + b;
        for (let j = 0; j < H; j++) {
          const h = sv.hs[r * H + j]!;
          ax[r * H + j] = mode === 'rnn_tanh' ? dh[b * H + j]! * (1 - h * h) : h > 0 ? dh[b * H + j]! : 0;
        }
      }
      dhNext.fill(0);
    }
    gemmNN(ah.subarray(t * B * GH, (t + 1) * B * GH), whh, B, GH, Hr, back);
    for (let i = 0; i < dhNext.length; i++) dhNext[i] += back[i]!;
  }
  gh0.set(dhNext);
  if (gc0) gc0.set(dcNext);

  const gwih = allocate(dtype, GH * Iin);
  gemmTN(ax, xIn, GH, rows, Iin, gwih);
  const gwhh = allocate(dtype, GH * Hr);
  gemmTN(ah, hPrevAll, GH, rows, Hr, gwhh);
  const gxIn = allocate(dtype, rows * Iin);
  gemmNN(ax, cell.wih.data, rows, GH, Iin, gxIn);
  for (let i = 0; i < gxIn.length; i++) gIn[i] += gxIn[i]!;
  let gwhr: FloatArray | null = null;
  if (sp.proj) {
    gwhr = allocate(dtype, Hr * H);
    gemmTN(dhAll!, sv.ms!, Hr, rows, H, gwhr); // Σ_t dh_tᵀ · m_t
  }
  return {
    wih: gwih,
    whh: gwhh,
    bih: cell.bih ? columnSums(ax, rows, GH, dtype) : null,
    bhh: cell.bhh ? columnSums(ah, rows, GH, dtype) : null,
    whr: gwhr,
  };
}

function columnSums(a: FloatArray, rows: number, cols: number, dtype: DType): FloatArray {
  const acc = scratch64(cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) acc[j] += a[r * cols + j]!;
  const out = allocate(dtype, cols);
  out.set(acc);
  return out;
}
