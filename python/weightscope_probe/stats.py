"""Per-tensor statistics of one optimizer step, as Weightscope's engine records them.

Notation, for one parameter tensor θ at optimizer step t (the step count
*after* the step, torch's ``state['step']``):

    g        the gradient in ``p.grad`` (as the user's backward left it)
    m, v     ``exp_avg``, ``exp_avg_sq`` after the step (amsgrad: v is ``max_exp_avg_sq``)
    m̂ = m/(1 − β1^t)        v̂ = v/(1 − β2^t)
    Δθ_adam  = −lr·m̂/(√v̂ + ε)                 Adam's own step
    Δθ_decay = −lr·λ·θ_before                  AdamW's decoupled decay (0 for coupled L2)
    Δθ_sgd   = −lr·d,  d = b (momentum buffer) or g' + μ·b (Nesterov), g' = ±g + λ·θ_before
    Δθ       = θ_after − θ_before              what was actually applied

Every value is computed in float64 from the tensors' stored values, so the
numbers do not depend on the training dtype beyond the values themselves.
The per-layer record (docs/run-format.md, "Layer record"):

    gradNorm       ‖g‖₂                 weightNorm   ‖θ_before‖₂
    mNorm          ‖m‖₂ (SGD: ‖b‖₂)     mHatNorm     ‖m‖₂/(1 − β1^t)
    sqrtVHat       {mean, std, min, max} of √v̂ (std with n − 1)
    stepSize       {mean, std, min, max} of lr/(√v̂ + ε)
    stepNorm       ‖Δθ_adam‖₂ (SGD: ‖lr·d‖₂)
    decayNorm      ‖Δθ_decay‖₂ = lr·λ·‖θ_before‖₂ for decoupled decay, else 0
    decayShare     decayNorm/(stepNorm + decayNorm), 0 when both are 0
    updateNorm     ‖Δθ‖₂                updateToWeight  updateNorm/weightNorm (0 when Δθ = 0)
    effectiveDecay relative shrink per step from the decay: lr·λ (AdamW), λ·mean(lr/(√v̂ + ε))
                   (Adam + L2, the adaptive denominator rescales λθ), lr·λ (SGD + L2); 0 without decay
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, List, Optional

import torch

#: Histogram bins of a snapshot (the engine's default).
SNAPSHOT_BINS = 32


@dataclass(frozen=True)
class GroupSettings:
    """What one torch param group does to its parameters, as the statistics need it."""

    kind: str  # 'adamw' | 'adam' | 'sgd'
    lr: float
    weight_decay: float
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    amsgrad: bool = False
    maximize: bool = False
    momentum: float = 0.0
    dampening: float = 0.0
    nesterov: bool = False


def group_settings(kind: str, group: dict) -> GroupSettings:
    """The settings of a torch param group (its dict of hyperparameters)."""
    if kind == 'sgd':
        return GroupSettings(kind, float(group['lr']), float(group.get('weight_decay', 0.0)),
                             maximize=bool(group.get('maximize', False)), momentum=float(group.get('momentum', 0.0)),
                             dampening=float(group.get('dampening', 0.0)), nesterov=bool(group.get('nesterov', False)))
    b1, b2 = group['betas']
    return GroupSettings(kind, float(group['lr']), float(group.get('weight_decay', 0.0)), (float(b1), float(b2)),
                         float(group['eps']), bool(group.get('amsgrad', False)), bool(group.get('maximize', False)))


def moments(x: torch.Tensor) -> dict:
    """{mean, std, min, max} of a float64 tensor; std is unbiased (n − 1), None (null) for one element.

    torch's unbiased std of one element is NaN; the run format stores the undefined statistic as null, so that a
    reader shows it as undefined rather than as a number that went wrong."""
    n = x.numel()
    if n == 0:
        nan = float('nan')
        return {'mean': nan, 'std': nan, 'min': nan, 'max': nan}
    # Two reductions instead of four (this runs for every tensor at every recorded step).
    std, mean = torch.std_mean(x)
    lo, hi = torch.aminmax(x)
    return {'mean': float(mean), 'std': float(std) if n > 1 else None, 'min': float(lo), 'max': float(hi)}


def norm(x: torch.Tensor) -> float:
    return float(torch.linalg.vector_norm(x))


def histogram(x: torch.Tensor, bins: int = SNAPSHOT_BINS) -> dict:
    """{lo, hi, counts} with torch.histc's rules over the tensor's own [min, max].

    ``bins`` equal bins; edge i is lo + (hi − lo)·i/bins and the last edge is
    exactly hi; bin i holds edges[i] ≤ x < edges[i+1], the last bin also x = hi;
    lo = hi is widened to [lo − 1, hi + 1]. The bin is guessed by linear
    interpolation and then moved by one where rounding put x on the wrong side
    of an edge, so the counts agree with the edges exactly (as the engine's
    engine/stats/histogram.ts does). Non-finite values are not counted.
    """
    x = x.reshape(-1).double()
    x = x[torch.isfinite(x)]
    if x.numel() == 0:
        lo, hi = -1.0, 1.0
    else:
        lo, hi = float(x.min()), float(x.max())
        if lo == hi:
            lo, hi = lo - 1.0, hi + 1.0
    width = hi - lo
    if width == 0:  # |lo| so large that ±1 does not widen it: every value equals hi and is in the last bin
        counts = [0] * bins
        counts[-1] = int(x.numel())
        return {'lo': lo, 'hi': hi, 'counts': counts}
    i = torch.arange(bins + 1, dtype=torch.float64)
    edges = lo + (width * i) / bins
    edges[bins] = hi
    last = bins - 1
    b = torch.floor((x - lo) * (bins / width)).clamp_(0, last).long()
    b = b - (x < edges[b]).long()
    b = b + ((b < last) & (x >= edges[(b + 1).clamp(max=bins)])).long()
    counts = torch.bincount(b.clamp(0, last), minlength=bins)
    return {'lo': lo, 'hi': hi, 'counts': [int(c) for c in counts.tolist()]}


@dataclass
class TensorStep:
    """What one parameter tensor did in one step: the layer record, and the snapshot's histograms if asked."""

    layer: dict
    snapshot: Optional[Dict[str, dict]]


def tensor_step(s: GroupSettings, grad: torch.Tensor, before: torch.Tensor, after: torch.Tensor,
                state: dict, step: int, snapshot: bool) -> TensorStep:
    """The layer record of one tensor (see the module docstring for every formula).

    ``before`` and ``after`` are θ around the step, ``state`` is
    ``optimizer.state[p]`` after it and ``step`` the tensor's step count t.
    """
    g = grad.detach().double()
    theta0 = before.detach().double()
    delta = after.detach().double() - theta0
    weight_norm = norm(theta0)
    update_norm = norm(delta)
    hist: Dict[str, dict] = {}
    if s.kind == 'sgd':
        layer = _sgd_terms(s, g, theta0, state, hist if snapshot else None)
    else:
        layer = _adam_terms(s, theta0, state, step, hist if snapshot else None)
    record = {
        'gradNorm': norm(g),
        'weightNorm': weight_norm,
        'mNorm': layer['mNorm'],
        'mHatNorm': layer['mHatNorm'],
        'sqrtVHat': layer['sqrtVHat'],
        'stepSize': layer['stepSize'],
        'stepNorm': layer['stepNorm'],
        'decayNorm': layer['decayNorm'],
        'decayShare': _share(layer['decayNorm'], layer['stepNorm']),
        'updateNorm': update_norm,
        'updateToWeight': 0.0 if update_norm == 0 else (update_norm / weight_norm if weight_norm != 0 else math.inf),
        'effectiveDecay': layer['effectiveDecay'],
    }
    if snapshot:
        hist['weight'] = histogram(theta0)
        hist['update'] = histogram(delta)
    return TensorStep(record, _ordered(hist) if snapshot else None)


def bias_corrections(s: GroupSettings, step: int):
    """(1/(1 − β1^t), 1/(1 − β2^t)) as the run's step record stores them; (None, None) for SGD."""
    if s.kind == 'sgd':
        return None, None
    return 1.0 / (1.0 - s.betas[0] ** step), 1.0 / (1.0 - s.betas[1] ** step)


def _adam_terms(s: GroupSettings, theta0: torch.Tensor, state: dict, step: int, hist: Optional[dict]) -> dict:
    b1, b2 = s.betas
    bc1 = 1.0 - b1 ** step
    bc2 = 1.0 - b2 ** step
    m = state['exp_avg'].detach().double()
    v = (state['max_exp_avg_sq'] if s.amsgrad else state['exp_avg_sq']).detach().double()
    sqrt_v_hat = torch.sqrt(v / bc2)
    scale = 1.0 / (sqrt_v_hat + s.eps)  # the per-element step is lr·scale
    m_norm = norm(m)
    # ‖Δθ_adam‖ = lr·‖m̂ ⊙ scale‖ = (lr/bc1)·‖m ⊙ scale‖
    step_norm = s.lr / bc1 * norm(m * scale)
    step_size = {k: None if val is None else val * s.lr for k, val in moments(scale).items()}
    decoupled = s.kind == 'adamw' and s.weight_decay != 0
    decay_norm = s.lr * s.weight_decay * norm(theta0) if decoupled else 0.0
    if s.weight_decay == 0:
        effective = 0.0
    elif decoupled:
        effective = s.lr * s.weight_decay
    else:
        effective = s.weight_decay * step_size['mean']
    if hist is not None:
        hist['mHat'] = histogram(m / bc1)
        hist['sqrtVHat'] = histogram(sqrt_v_hat)
    return {'mNorm': m_norm, 'mHatNorm': m_norm / bc1, 'sqrtVHat': moments(sqrt_v_hat), 'stepSize': step_size,
            'stepNorm': step_norm, 'decayNorm': decay_norm, 'effectiveDecay': effective}


def _sgd_terms(s: GroupSettings, g: torch.Tensor, theta0: torch.Tensor, state: dict, hist: Optional[dict]) -> dict:
    buf = state.get('momentum_buffer') if s.momentum != 0 else None
    if buf is not None:
        b = buf.detach().double()
        if s.nesterov:
            d_p = (-g if s.maximize else g) + s.weight_decay * theta0 if s.weight_decay != 0 else (-g if s.maximize else g)
            d = d_p + s.momentum * b
        else:
            d = b
        m_norm: Optional[float] = norm(b)
        if hist is not None:
            hist['mHat'] = histogram(b)
    else:
        d = -g if s.maximize else g
        if s.weight_decay != 0:
            d = d + s.weight_decay * theta0
        m_norm = None
    return {'mNorm': m_norm, 'mHatNorm': None, 'sqrtVHat': None, 'stepSize': None, 'stepNorm': s.lr * norm(d),
            'decayNorm': 0.0, 'effectiveDecay': s.lr * s.weight_decay if s.weight_decay != 0 else 0.0}


def _share(decay: float, step: float) -> float:
    total = decay + step
    return 0.0 if total == 0 else decay / total


def _ordered(hist: Dict[str, dict]) -> Dict[str, dict]:
    return {k: hist[k] for k in ('weight', 'mHat', 'sqrtVHat', 'update') if k in hist}


def global_grad_norm(grad_norms: List[float]) -> float:
    """‖g‖₂ over all tensors from the per-tensor norms: √Σ‖g_i‖²."""
    return math.sqrt(sum(x * x for x in grad_norms))
