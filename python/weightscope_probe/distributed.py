"""torch.distributed helpers: who writes, what is unsupported, and whether the ranks agree.

Under DistributedDataParallel every rank holds a full replica: after the
backward's all-reduce the gradients are averaged, so every rank's optimizer
should see the same gradients, keep the same states and reach the same
parameters. That is what lets rank 0 alone record the run. It is *checked*,
not assumed: at verified steps every rank flattens its gradients, parameters
and optimizer states into one float64 vector x_r, and two all-reduces give
the element-wise max and min over ranks; max(maxᵢ − minᵢ) is the largest
difference between any two ranks for any element (0 when the replicas are
bit-identical). A nonzero difference becomes a warning in run.json.

Sharded optimizers hold only a shard of the state on each rank, so rank 0's
statistics would describe a fraction of the tensors; they are refused with a
clear error until per-shard statistics are combined with collectives.
"""
from __future__ import annotations

from typing import Iterable, List, Tuple

import torch
import torch.distributed as dist


class UnsupportedOptimizerError(TypeError):
    """The optimizer or model is one the probe cannot record faithfully."""


def is_distributed() -> bool:
    return dist.is_available() and dist.is_initialized()


def rank() -> int:
    return dist.get_rank() if is_distributed() else 0


def world_size() -> int:
    return dist.get_world_size() if is_distributed() else 1


def _named(obj, class_name: str) -> bool:
    """Whether obj is an instance of a class called class_name (checked by name: importing
    torch.distributed.fsdp fails on some torch builds, and a user who never imported it has no FSDP model)."""
    return any(c.__name__ == class_name for c in type(obj).__mro__)


def refuse_sharded(optimizer, model) -> None:
    """Raise UnsupportedOptimizerError for ZeroRedundancyOptimizer and FSDP models."""
    if _named(optimizer, 'ZeroRedundancyOptimizer'):
        raise UnsupportedOptimizerError(
            'weightscope_probe does not support ZeroRedundancyOptimizer yet: each rank holds only a shard of the '
            'optimizer state, so rank 0 cannot see every exp_avg/exp_avg_sq. Record a run without ZeRO (e.g. a '
            'short DDP run with a plain AdamW) instead.')
    if model is not None and any(_named(m, 'FullyShardedDataParallel') for m in model.modules()):
        raise UnsupportedOptimizerError(
            'weightscope_probe does not support FullyShardedDataParallel yet: parameters and optimizer states are '
            'flattened and sharded across ranks, so per-layer statistics would need combining with collectives. '
            'Use DistributedDataParallel (or a single process) to record a run.')


def unwrap(model):
    """The user's module inside DistributedDataParallel/DataParallel (its names are the state_dict names)."""
    while model is not None and hasattr(model, 'module') and isinstance(
            model, (torch.nn.parallel.DistributedDataParallel, torch.nn.DataParallel)):
        model = model.module
    return model


#: Elements compared per pair of all-reduces: bounds the extra memory (three float64 copies, ~100 MB) for big models.
BUCKET_ELEMENTS = 1 << 22


def max_rank_difference(tensors: Iterable[Tuple[str, torch.Tensor]]) -> List[Tuple[str, float]]:
    """Every rank calls this with the same named tensors; returns (name, max |x_a − x_b| over ranks a, b) per name.

    A collective: all ranks must call it at the same step with tensors of the
    same shapes, in the same order. Tensors are compared in buckets of about
    BUCKET_ELEMENTS elements (a tensor is never split), two all-reduces per bucket.
    """
    out: List[Tuple[str, float]] = []
    bucket: List[Tuple[str, torch.Tensor]] = []
    size = 0
    for name, t in tensors:
        bucket.append((name, t))
        size += t.numel()
        if size >= BUCKET_ELEMENTS:
            out += _compare(bucket)
            bucket, size = [], 0
    if bucket:
        out += _compare(bucket)
    return out


def _compare(named: List[Tuple[str, torch.Tensor]]) -> List[Tuple[str, float]]:
    flat = torch.cat([t.detach().reshape(-1).double() for _, t in named])
    high = flat.clone()
    low = flat
    dist.all_reduce(high, op=dist.ReduceOp.MAX)
    dist.all_reduce(low, op=dist.ReduceOp.MIN)
    spread = high - low
    # NaN on some rank: max/min reductions may drop or keep it; a NaN anywhere is a disagreement.
    spread = torch.where(torch.isnan(spread), torch.full_like(spread, float('inf')), spread)
    out = []
    offset = 0
    for name, t in named:
        n = t.numel()
        out.append((name, float(spread[offset:offset + n].max()) if n else 0.0))
        offset += n
    return out
