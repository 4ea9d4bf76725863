/**
 * Elementwise arithmetic a ∘ b with torch's broadcasting (broadcast.ts):
 * either operand may be a number (a Python scalar, cast to the tensor's dtype
 * first, as torch does for wrapped numbers) or a tensor of any shape that
 * broadcasts with the other — a bias row, a per-channel [C, 1, 1] scale, a
 * [B, T, 1] statistic, a one-element tensor, a residual sum of equal shapes.
 *
 * Each result of +, −, ×, ÷ is one IEEE operation on the operands rounded to
 * the dtype, so float32 results are bit-identical to torch's CPU kernels.
 * `pow` with a tensor exponent uses Math.pow (correctly rounded to ~1 ulp in
 * float64; torch's float32 pow is std::pow in float, so float32 can differ
 * by an ulp). Gradients of broadcast operands are float64 sums rounded once.
 *
 * Backward (g = ∂L/∂out, each summed back to the operand's shape):
 *   add: g, g          sub: g, −g          mul: g·b, g·a
 *   div: g/b, −g·a/b²  pow: g·b·a^(b−1) (0 where b = 0),  g·aᵇ·ln a (0 where a = 0 and b ≥ 0)
 *
 * Comparisons (`eq`, `ne`, `lt`, `le`, `gt`, `ge`) return masks: tensors of
 * the operands' dtype holding 1 (true) and 0 (false), with no gradient — the
 * engine has no boolean dtype; `maskedFill` and `where` read any nonzero as true.
 */
import { allocateUnset, scratch64, type DType, type FloatArray } from './dtype';
import { broadcastShapes, planBroadcast, reduceToShape, type BroadcastPlan } from './broadcast';
import { arithmeticWasm, ELEMENTWISE_WASM_MIN_LENGTH, maskedWasm } from './elementwiseWasm';
import { commonDtype, opResult } from './op';
import { shapesEqual } from './shape';
import { Tensor } from './tensor';
import { pow as powScalarExponent } from './unary';

export type Operand = Tensor | number;

const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const POW = 4;
const EQ = 5;
const NE = 6;
const LT = 7;
const LE = 8;
const GT = 9;
const GE = 10;

/** The operands as tensors of one dtype (a number becomes a 0-D tensor of the other's dtype). */
function operands(op: string, a: Operand, b: Operand): { a: Tensor; b: Tensor; dtype: DType } {
  if (typeof a === 'number' && typeof b === 'number') throw new TypeError(`${op}: at least one operand must be a tensor`);
  if (typeof a === 'number') a = Tensor.full([], a, { dtype: (b as Tensor).dtype });
  if (typeof b === 'number') b = Tensor.full([], b, { dtype: a.dtype });
  return { a, b, dtype: commonDtype(op, a, b) };
}

/** out = a ∘ b over a broadcast plan, one row at a time. */
function combine(kind: number, ad: FloatArray, bd: FloatArray, out: FloatArray, plan: BroadcastPlan): void {
  const { inner: L, innerA: ia, innerB: ib, offsetsA, offsetsB } = plan;
  if (kind <= DIV && ia === 1 && (ib === 0 || ib === 1)) {
    // Large ones in WebAssembly SIMD (elementwiseWasm.ts): the same operation per element, the same bits.
    if (out.length >= ELEMENTWISE_WASM_MIN_LENGTH && arithmeticWasm(kind, ad, bd, out, plan)) return;
    combineContiguous(kind, ad, bd, out, plan);
    return;
  }
  for (let r = 0, o = 0; r < offsetsA.length; r++, o += L) {
    const oa = offsetsA[r]!;
    const ob = offsetsB[r]!;
    switch (kind) {
      case ADD:
        for (let j = 0; j < L; j++) out[o + j] = ad[oa + j * ia]! + bd[ob + j * ib]!;
        break;
      case SUB:
        for (let j = 0; j < L; j++) out[o + j] = ad[oa + j * ia]! - bd[ob + j * ib]!;
        break;
      case MUL:
        for (let j = 0; j < L; j++) out[o + j] = ad[oa + j * ia]! * bd[ob + j * ib]!;
        break;
      case DIV:
        for (let j = 0; j < L; j++) out[o + j] = ad[oa + j * ia]! / bd[ob + j * ib]!;
        break;
      case POW:
        for (let j = 0; j < L; j++) out[o + j] = Math.pow(ad[oa + j * ia]!, bd[ob + j * ib]!);
        break;
      case EQ:
        for (let j = 0; j < L; j++) out[o + j] = ad[oa + j * ia]! === bd[ob + j * ib]! ? 1 : 0;
        break;
      case NE:
        for (let j = 0; j < L; j++) out[o + j] = ad[oa + j * ia]! !== bd[ob + j * ib]! ? 1 : 0;
        break;
      case LT:
        for (let j = 0; j < L; j++) out[o + j] = ad[oa + j * ia]! < bd[ob + j * ib]! ? 1 : 0;
        break;
      case LE:
        for (let j = 0; j < L; j++) out[o + j] = ad[oa + j * ia]! <= bd[ob + j * ib]! ? 1 : 0;
        break;
      case GT:
        for (let j = 0; j < L; j++) out[o + j] = ad[oa + j * ia]! > bd[ob + j * ib]! ? 1 : 0;
        break;
      case GE:
        for (let j = 0; j < L; j++) out[o + j] = ad[oa + j * ia]! >= bd[ob + j * ib]! ? 1 : 0;
        break;
    }
  }
}

/**
 * The common forms of +, −, ×, ÷ without stride products: a and b both
 * contiguous along the row (a residual sum), or b one number per row (a
 * tensor divided by a scalar, as attention scores by √d). The same operation
 * per element as `combine`'s loops, so the same bits.
 */
function combineContiguous(kind: number, ad: FloatArray, bd: FloatArray, out: FloatArray, plan: BroadcastPlan): void {
  const { inner: L, innerB: ib, offsetsA, offsetsB } = plan;
  for (let r = 0, o = 0; r < offsetsA.length; r++, o += L) {
    const oa = offsetsA[r]!;
    const ob = offsetsB[r]!;
    if (ib === 0) {
      const v = bd[ob]!;
      if (kind === ADD) for (let j = 0; j < L; j++) out[o + j] = ad[oa + j]! + v;
      else if (kind === SUB) for (let j = 0; j < L; j++) out[o + j] = ad[oa + j]! - v;
      else if (kind === MUL) for (let j = 0; j < L; j++) out[o + j] = ad[oa + j]! * v;
      else for (let j = 0; j < L; j++) out[o + j] = ad[oa + j]! / v;
    } else if (kind === ADD) for (let j = 0; j < L; j++) out[o + j] = ad[oa + j]! + bd[ob + j]!;
    else if (kind === SUB) for (let j = 0; j < L; j++) out[o + j] = ad[oa + j]! - bd[ob + j]!;
    else if (kind === MUL) for (let j = 0; j < L; j++) out[o + j] = ad[oa + j]! * bd[ob + j]!;
    else for (let j = 0; j < L; j++) out[o + j] = ad[oa + j]! / bd[ob + j]!;
  }
}

/** What each operand's gradient needs: `a` and `b` read over the output's plan. */
interface Backward {
  kind: number;
  a: Tensor;
  b: Tensor;
  out: FloatArray;
  outShape: readonly number[];
  plan: BroadcastPlan;
}

/**
 * ∂L/∂a (which = 0) or ∂L/∂b (which = 1) at every output element, then
 * summed to the operand's shape. Computed in float64 when a sum follows (one
 * rounding), else straight into the dtype.
 */
function operandGradient(which: 0 | 1, g: FloatArray, s: Backward): FloatArray {
  const { kind, a, b, out, outShape, plan } = s;
  const shape = which === 0 ? a.shape : b.shape;
  const dtype = a.dtype;
  if (kind === ADD || (kind === SUB && which === 0)) return reduceToShape(g, outShape, shape, dtype);
  const reduced = !shapesEqual(shape, outShape);
  const full = reduced ? scratch64(g.length) : allocateUnset(dtype, g.length); // every element written below
  const ad = a.data;
  const bd = b.data;
  // ∂L/∂a of a × b or a ÷ b where a has the output's shape (scores ÷ √d): g ∘ b over the forward's own
  // plan, whose rows of a are g's rows. Large ones in WebAssembly SIMD, the same operation per element.
  if (which === 0 && !reduced && (kind === MUL || kind === DIV) && g.length >= ELEMENTWISE_WASM_MIN_LENGTH && arithmeticWasm(kind, g, bd, full, plan)) return full;
  const { inner: L, innerA: ia, innerB: ib, offsetsA, offsetsB } = plan;
  for (let r = 0, o = 0; r < offsetsA.length; r++, o += L) {
    const oa = offsetsA[r]!;
    const ob = offsetsB[r]!;
    switch (kind * 2 + which) {
      case SUB * 2 + 1:
        for (let j = 0; j < L; j++) full[o + j] = -g[o + j]!;
        break;
      case MUL * 2:
        for (let j = 0; j < L; j++) full[o + j] = g[o + j]! * bd[ob + j * ib]!;
        break;
      case MUL * 2 + 1:
        for (let j = 0; j < L; j++) full[o + j] = g[o + j]! * ad[oa + j * ia]!;
        break;
      case DIV * 2:
        if (ib === 0) {
          const v = bd[ob]!;
          for (let j = 0; j < L; j++) full[o + j] = g[o + j]! / v;
        } else for (let j = 0; j < L; j++) full[o + j] = g[o + j]! / bd[ob + j * ib]!;
        break;
      case DIV * 2 + 1:
        for (let j = 0; j < L; j++) {
          const bj = bd[ob + j * ib]!;
          full[o + j] = (-g[o + j]! * ad[oa + j * ia]!) / (bj * bj);
        }
        break;
      case POW * 2:
        for (let j = 0; j < L; j++) {
          const e = bd[ob + j * ib]!;
          full[o + j] = e === 0 ? 0 : g[o + j]! * e * Math.pow(ad[oa + j * ia]!, e - 1);
        }
        break;
      case POW * 2 + 1:
        for (let j = 0; j < L; j++) {
          const base = ad[oa + j * ia]!;
          full[o + j] = base === 0 && bd[ob + j * ib]! >= 0 ? 0 : g[o + j]! * out[o + j]! * Math.log(base);
        }
        break;
    }
  }
  return reduced ? reduceToShape(full, outShape, shape, dtype) : full;
}

function arithmetic(kind: number, name: string, op: string, x: Operand, y: Operand): Tensor {
  const { a, b, dtype } = operands(op, x, y);
  const outShape = shapesEqual(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const plan = planBroadcast(outShape, a.shape, b.shape);
  const out = allocateUnset(dtype, plan.offsetsA.length * plan.inner); // combine writes every element
  combine(kind, a.data, b.data, out, plan);
  const state: Backward = { kind, a, b, out, outShape, plan };
  return opResult(name, out, outShape, [a, b], (g) => [
    a.requiresGrad ? operandGradient(0, g, state) : null,
    b.requiresGrad ? operandGradient(1, g, state) : null,
  ]);
}

/** a + b (broadcast). */
export function add(a: Operand, b: Operand): Tensor {
  return arithmetic(ADD, 'AddBackward', 'add', a, b);
}

/** a − b (broadcast). */
export function sub(a: Operand, b: Operand): Tensor {
  return arithmetic(SUB, 'SubBackward', 'sub', a, b);
}

/** a · b (broadcast). */
export function mul(a: Operand, b: Operand): Tensor {
  return arithmetic(MUL, 'MulBackward', 'mul', a, b);
}

/** a / b (broadcast; true division, as torch's `/`). */
export function div(a: Operand, b: Operand): Tensor {
  return arithmetic(DIV, 'DivBackward', 'div', a, b);
}

/**
 * aᵇ, as `torch.pow`: a tensor to a number's power goes to unary.ts's `pow`
 * (x² as x·x, bit-exact), a tensor or number to a tensor's power broadcasts.
 */
export function pow(a: Operand, b: Operand): Tensor {
  if (a instanceof Tensor && typeof b === 'number') return powScalarExponent(a, b);
  return arithmetic(POW, 'PowBackward', 'pow', a, b);
}

function comparison(kind: number, op: string, x: Operand, y: Operand): Tensor {
  const { a, b, dtype } = operands(op, x, y);
  const outShape = broadcastShapes(op, a.shape, b.shape);
  const plan = planBroadcast(outShape, a.shape, b.shape);
  const out = allocateUnset(dtype, plan.offsetsA.length * plan.inner); // combine writes every element
  combine(kind, a.data, b.data, out, plan);
  return new Tensor(out, outShape);
}

/** Mask of a = b (1 or 0, no gradient). */
export function eq(a: Operand, b: Operand): Tensor {
  return comparison(EQ, 'eq', a, b);
}
/** Mask of a ≠ b. */
export function ne(a: Operand, b: Operand): Tensor {
  return comparison(NE, 'ne', a, b);
}
/** Mask of a < b. */
export function lt(a: Operand, b: Operand): Tensor {
  return comparison(LT, 'lt', a, b);
}
/** Mask of a ≤ b. */
export function le(a: Operand, b: Operand): Tensor {
  return comparison(LE, 'le', a, b);
}
/** Mask of a > b. */
export function gt(a: Operand, b: Operand): Tensor {
  return comparison(GT, 'gt', a, b);
}
/** Mask of a ≥ b. */
export function ge(a: Operand, b: Operand): Tensor {
  return comparison(GE, 'ge', a, b);
}

/**
 * `x.masked_fill(mask, value)`: value where the mask is nonzero, x elsewhere;
 * x and the mask broadcast together (torch expands both). The value is cast
 * to x's dtype (so −∞ stays −∞). ∂L/∂x = g where the mask is 0, else 0.
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  const outShape = shapesEqual(x.shape, mask.shape) ? x.shape : broadcastShapes('maskedFill', x.shape, mask.shape);
  const plan = planBroadcast(outShape, x.shape, mask.shape);
  const xd = x.data;
  const md = mask.data;
  const out = allocateUnset(x.dtype, plan.offsetsA.length * plan.inner);
  // Large ones in WebAssembly SIMD (elementwiseWasm.ts): the same selects, the same bits.
  const useWasm = out.length >= ELEMENTWISE_WASM_MIN_LENGTH;
  if (!(useWasm && maskedWasm(xd, md, out, plan, value, false))) fillMasked(xd, md, out, value, plan);
  return opResult('MaskedFillBackward', out, outShape, [x], (g) => {
    const reduced = !shapesEqual(x.shape, outShape);
    const gx = reduced ? scratch64(g.length) : allocateUnset(x.dtype, g.length);
    if (useWasm && maskedWasm(g, md, gx, plan, 0, true)) return [reduced ? reduceToShape(gx, outShape, x.shape, x.dtype) : gx];
    zeroMasked(g, md, gx, plan);
    return [reduced ? reduceToShape(gx, outShape, x.shape, x.dtype) : gx];
  });
}

// masked_fill's loops as functions of their own, on arrays only (no closure): V8 compiles them to tighter code.

/** out = value where the mask is nonzero, else x, over the broadcast plan of x (a) and the mask (b). */
function fillMasked(xd: FloatArray, md: FloatArray, out: FloatArray, value: number, plan: BroadcastPlan): void {
  const { inner: L, innerA: ia, innerB: ib, offsetsA, offsetsB } = plan;
  for (let r = 0, o = 0; r < offsetsA.length; r++, o += L) {
    const oa = offsetsA[r]!;
    const ob = offsetsB[r]!;
    // Both runs contiguous (a [1, 1, T, T] causal mask over [B, H, T, T] scores): no stride products.
    if (ia === 1 && ib === 1) for (let j = 0; j < L; j++) out[o + j] = md[ob + j]! !== 0 ? value : xd[oa + j]!;
    else for (let j = 0; j < L; j++) out[o + j] = md[ob + j * ib]! !== 0 ? value : xd[oa + j * ia]!;
  }
}

/** gx = 0 where the mask is nonzero, else g (of the output's shape). */
function zeroMasked(g: FloatArray, md: FloatArray, gx: FloatArray, plan: BroadcastPlan): void {
  const { inner: L, innerB: ib, offsetsB } = plan;
  for (let r = 0, o = 0; r < offsetsB.length; r++, o += L) {
    const ob = offsetsB[r]!;
    if (ib === 1) for (let j = 0; j < L; j++) gx[o + j] = md[ob + j]! !== 0 ? 0 : g[o + j]!;
    else for (let j = 0; j < L; j++) gx[o + j] = md[ob + j * ib]! !== 0 ? 0 : g[o + j]!;
  }
}

/**
 * `torch.where(condition, a, b)`: a where the condition is nonzero, else b,
 * all three broadcast together. ∂L/∂a = g where the condition holds, ∂L/∂b = g elsewhere.
 */
export function where(condition: Tensor, a: Operand, b: Operand): Tensor {
  const { a: ta, b: tb, dtype } = operands('where', a, b);
  const outShape = broadcastShapes('where', condition.shape, broadcastShapes('where', ta.shape, tb.shape));
  const chosenA = maskedFill(mul(ta, Tensor.ones(outShape, { dtype })), eq(condition, 0), 0);
  const chosenB = maskedFill(mul(tb, Tensor.ones(outShape, { dtype })), ne(condition, 0), 0);
  return add(chosenA, chosenB);
}
