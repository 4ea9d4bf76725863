"""The probe: watches an optimizer's steps and records them as a Weightscope run.

Two ways in, chosen by feature detection:

* torch ≥ 2.0: ``optimizer.register_step_pre_hook`` / ``register_step_post_hook``;
* older torch (1.13): the instance's ``step`` is replaced by a wrapper that
  does the same before and after calling the original (removed by ``close``).

At a recorded step, the pre-step hook copies θ of every parameter (θ_before);
the post-step hook reads ``p.grad``, θ_after and ``optimizer.state[p]`` and
computes the layer records (stats.py). Steps that are not recorded cost one
counter increment, so ``every`` bounds the overhead.
"""
from __future__ import annotations

import math
import os
import time
import types
import warnings
from typing import Dict, List, Optional

import torch

from . import distributed as D
from .stats import GroupSettings, bias_corrections, global_grad_norm, group_settings, tensor_step
from .writer import RUN_FORMAT, RUN_FORMAT_VERSION, RunWriter, check_run_id, new_run_id, now_iso

PRODUCER = 'weightscope-torch 0.1.0'


def optimizer_kind(optimizer) -> str:
    """'adamw', 'adam' or 'sgd'; UnsupportedOptimizerError for anything else."""
    # AdamW first: in recent torch it may subclass Adam.
    if isinstance(optimizer, torch.optim.AdamW):
        return 'adamw'
    if isinstance(optimizer, torch.optim.Adam):
        groups = optimizer.param_groups
        return 'adamw' if groups and groups[0].get('decoupled_weight_decay', False) else 'adam'
    if isinstance(optimizer, torch.optim.SGD):
        return 'sgd'
    raise D.UnsupportedOptimizerError(
        f'weightscope_probe records torch.optim.AdamW, Adam and SGD; got {type(optimizer).__name__}')


class SnapshotSchedule:
    """Log-spaced snapshot steps, as the engine's RunRecorder: every step up to ``dense_until``,
    then whenever ⌊k·log10 t⌋ has grown since the last snapshot (k = ``per_decade``).
    With every step recorded this is exactly the engine's schedule; with ``every`` > 1
    the snapshot falls on the first recorded step past each point of the schedule."""

    def __init__(self, per_decade: int = 16, dense_until: int = 10):
        self.per_decade = per_decade
        self.dense_until = dense_until
        self.last: Optional[int] = None

    def wants(self, t: int) -> bool:
        if t <= self.dense_until or self.last is None:
            return True
        return math.floor(self.per_decade * math.log10(t)) > math.floor(self.per_decade * math.log10(self.last))

    def took(self, t: int) -> None:
        self.last = t


class Probe:
    """Records an optimizer's steps into a Weightscope run folder. Create it with ``attach``."""

    def __init__(self, optimizer, model, log_dir: str, every: int = 1, *, name: Optional[str] = None,
                 run_id: Optional[str] = None, steps: int = 0, batch_size: int = 0, seed: int = 0,
                 dataset: str = '', verify_every: int = 100, flush_seconds: float = 1.0,
                 snapshots_per_decade: int = 16, bins: int = 32):
        if not (isinstance(every, int) and every >= 1):
            raise ValueError(f'every must be a positive integer, got {every!r}')
        D.refuse_sharded(optimizer, model)
        self.kind = optimizer_kind(optimizer)
        self.optimizer = optimizer
        self.model = D.unwrap(model)
        self.every = every
        self.planned_steps = int(steps)
        self.verify_every = int(verify_every)
        self.flush_seconds = flush_seconds
        self.bins = bins
        self.rank = D.rank()
        self.world_size = D.world_size()
        self.schedule = SnapshotSchedule(per_decade=snapshots_per_decade)
        self.names = self._parameter_names()
        self.step_count = self._resumed_step()
        self._before: Optional[Dict[int, torch.Tensor]] = None
        self._loss: Optional[object] = None
        self._epoch = 0
        self._val_loss: Optional[float] = None
        self._warned_no_loss = False
        self._last_flush = time.monotonic()
        self._closed = False
        self.warnings: List[str] = []
        self.max_rank_difference = 0.0 if self.world_size > 1 else None
        self.writer: Optional[RunWriter] = None
        if self.rank == 0:
            created = now_iso()
            model_name = type(self.model).__name__ if self.model is not None else 'model'
            rid = check_run_id(run_id) if run_id is not None else new_run_id(created, name or model_name)
            self.writer = RunWriter(os.path.join(log_dir, rid), self._meta(rid, name or model_name, model_name, created,
                                                                             batch_size, seed, dataset))
        self._hooks = self._install()

    # ---- what the user calls ----

    def log(self, loss=None, *, epoch: Optional[int] = None, val_loss: Optional[float] = None) -> None:
        """Give the loss of the coming step's minibatch (a tensor or a number; read only at recorded steps),
        its 0-based epoch, and a validation loss if one was measured. Call it before ``optimizer.step()``."""
        if loss is not None:
            self._loss = loss
        if epoch is not None:
            self._epoch = int(epoch)
        if val_loss is not None:
            self._val_loss = float(val_loss)

    def close(self, status: str = 'completed', reason: Optional[str] = None) -> None:
        """Stop recording, remove the hooks, and mark the run ``status`` in run.json (rank 0)."""
        if self._closed:
            return
        self._closed = True
        for h in self._hooks:
            h()
        if self.writer is not None:
            changes = {'status': status, 'stepsDone': self.step_count}
            if reason:
                changes['reason'] = reason
            self.writer.update_meta(**changes)
            self.writer.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close('completed' if exc is None else 'failed', None if exc is None else f'{exc_type.__name__}: {exc}')
        return False

    @property
    def run_dir(self) -> Optional[str]:
        """The run folder (rank 0), or None on other ranks."""
        return self.writer.folder if self.writer else None

    # ---- hooks ----

    def _install(self):
        opt = self.optimizer
        if hasattr(opt, 'register_step_pre_hook') and hasattr(opt, 'register_step_post_hook'):
            pre = opt.register_step_pre_hook(lambda o, args, kwargs: self._pre_step())
            post = opt.register_step_post_hook(lambda o, args, kwargs: self._post_step())
            self.mechanism = 'hooks'
            return [pre.remove, post.remove]
        original = opt.step
        probe = self

        def step(optimizer, *args, **kwargs):
            if probe._closed:
                return original(*args, **kwargs)
            probe._pre_step()
            result = original(*args, **kwargs)
            if result is not None and probe._loss is None:
                probe._loss = result  # a closure's loss
            probe._post_step()
            return result

        # A bound method, like the one it replaces: torch 1.13's LR schedulers wrap `optimizer.step` again and
        # read its __self__ and __func__.
        if getattr(original, '_with_counter', False):
            step._with_counter = True  # type: ignore[attr-defined]  # a scheduler's counter is already inside
        bound = types.MethodType(step, opt)
        opt.step = bound
        self.mechanism = 'wrapper'

        def remove():
            # Only undo our own wrapper; a scheduler may have wrapped it again since (then `_closed` bypasses it).
            if opt.__dict__.get('step') is bound:
                del opt.__dict__['step']
        return [remove]

    def _recorded(self, t: int) -> bool:
        return t % self.every == 0 or t == 1 or t == self.planned_steps

    def _pre_step(self) -> None:
        t = self.step_count + 1
        if self.rank == 0 and self._recorded(t):
            self._before = {id(p): p.detach().clone() for g in self.optimizer.param_groups for p in g['params']}

    def _post_step(self) -> None:
        self.step_count += 1
        t = self.step_count
        if self.world_size > 1 and self.verify_every > 0 and (t == 1 or t % self.verify_every == 0):
            self._verify_ranks(t)
        if self.rank == 0 and self._before is not None:
            self._record(t, self._before)
            self._before = None
            now = time.monotonic()
            if now - self._last_flush >= self.flush_seconds:
                self._flush(t)
                self._last_flush = now
        self._loss = None
        self._val_loss = None

    # ---- recording ----

    def _record(self, t: int, before: Dict[int, torch.Tensor]) -> None:
        snapshot = self.schedule.wants(t) or t == self.planned_steps
        layers: Dict[str, dict] = {}
        histograms: Dict[str, dict] = {}
        grad_norms: List[float] = []
        lr = math.nan
        bc = (None, None)
        for gi, group in enumerate(self.optimizer.param_groups):
            s = group_settings(self.kind, group)
            if gi == 0:
                lr = s.lr
            for p in group['params']:
                if p.grad is None or id(p) not in before:
                    continue  # torch skips it too
                state = self.optimizer.state.get(p, {})
                step = int(state['step']) if 'step' in state else t
                ts = tensor_step(s, p.grad, before[id(p)], p, state, step, snapshot)
                name = self.names.get(id(p), f'param{len(layers)}')
                layers[name] = ts.layer
                grad_norms.append(ts.layer['gradNorm'])
                if ts.snapshot is not None:
                    histograms[name] = ts.snapshot
                if gi == 0 and bc == (None, None):
                    bc = bias_corrections(s, step)
        record = {'step': t, 'epoch': self._epoch, 'loss': self._loss_value(), 'valLoss': self._val_loss,
                  'gradNorm': global_grad_norm(grad_norms), 'lr': lr, 'biasCorrection1': bc[0],
                  'biasCorrection2': bc[1], 'layers': layers}
        self.writer.append('step', record)
        if snapshot:
            self.writer.append('snapshot', {'step': t, 'layers': histograms})
            self.schedule.took(t)

    def _loss_value(self) -> float:
        if self._loss is None:
            if not self._warned_no_loss:
                self._warned_no_loss = True
                warnings.warn('weightscope_probe: no loss given for a recorded step; call probe.log(loss) before '
                              'optimizer.step() (the step is recorded with loss NaN)', stacklevel=4)
            return math.nan
        return float(self._loss.detach()) if torch.is_tensor(self._loss) else float(self._loss)

    def _flush(self, t: int) -> None:
        self.writer.update_meta(stepsDone=t, **self._distributed_meta())

    def _verify_ranks(self, t: int) -> None:
        """All ranks: the largest difference between ranks of every gradient, parameter and state tensor."""
        named = []
        for p in (p for g in self.optimizer.param_groups for p in g['params']):
            if p.grad is None:
                continue
            name = self.names.get(id(p), 'param')
            named.append((f'{name} grad', p.grad))
            named.append((f'{name} param', p))
            for key, value in self.optimizer.state.get(p, {}).items():
                if torch.is_tensor(value) and value.shape == p.shape:
                    named.append((f'{name} {key}', value))
        diffs = D.max_rank_difference(named)
        worst = max((d for _, d in diffs), default=0.0)
        self.max_rank_difference = max(self.max_rank_difference or 0.0, worst)
        if self.rank == 0 and worst > 0:
            where, d = max(diffs, key=lambda x: x[1])
            message = (f'step {t}: the {self.world_size} ranks disagree (largest difference {d:.3g} in {where}); '
                       f'the run shows rank 0 only')
            self.warnings.append(message)
            warnings.warn(f'weightscope_probe: {message}', stacklevel=4)
            self.writer.update_meta(**self._distributed_meta())

    def _distributed_meta(self) -> dict:
        out: dict = {}
        if self.world_size > 1:
            out['distributed'] = {'worldSize': self.world_size, 'backend': str(torch.distributed.get_backend()),
                                  'recordedBy': 0, 'verifyEvery': self.verify_every,
                                  'maxRankDifference': self.max_rank_difference}
        if self.warnings:
            out['warnings'] = list(self.warnings[:50])
        return out

    # ---- metadata ----

    def _parameter_names(self) -> Dict[int, str]:
        if self.model is None:
            return {}
        return {id(p): n for n, p in self.model.named_parameters()}

    def _resumed_step(self) -> int:
        for state in self.optimizer.state.values():
            if 'step' in state:
                return int(state['step'])
        return 0

    def _meta(self, rid: str, name: str, model_name: str, created: str, batch_size: int, seed: int,
              dataset: str) -> dict:
        defaults = self.optimizer.defaults
        first = self.optimizer.param_groups[0]
        if self.kind == 'sgd':
            args = {k: first.get(k, defaults.get(k)) for k in ('momentum', 'dampening', 'weight_decay', 'nesterov',
                                                               'maximize')}
        else:
            args = {k: first.get(k, defaults.get(k)) for k in ('betas', 'eps', 'weight_decay', 'amsgrad', 'maximize')}
            args['betas'] = list(args['betas'])
        # Parameters in groups without decay (when the optimizer decays by default) are its no-decay names.
        no_decay: List[str] = []
        if float(defaults.get('weight_decay', 0.0)) != 0:
            for g in self.optimizer.param_groups:
                if float(g.get('weight_decay', 0.0)) == 0:
                    no_decay += [self.names.get(id(p), '') for p in g['params'] if id(p) in self.names]
        params = ([{'name': n, 'shape': list(p.shape)} for n, p in self.model.named_parameters()]
                  if self.model is not None else [])
        optimizer = {'type': {'adamw': 'AdamW', 'adam': 'Adam', 'sgd': 'SGD'}[self.kind], 'lr': float(first['lr']),
                     'args': args, 'noDecay': no_decay}
        if self.kind == 'adamw':
            optimizer['decay'] = 'torch'
        meta = {'format': RUN_FORMAT, 'version': RUN_FORMAT_VERSION, 'id': rid, 'name': name, 'producer': PRODUCER,
                'createdAt': created, 'updatedAt': created, 'status': 'running', 'plannedSteps': self.planned_steps,
                'stepsDone': 0, 'model': {'name': model_name, 'parameters': params}, 'optimizer': optimizer,
                'batchSize': int(batch_size), 'seed': int(seed), 'dataset': dataset,
                'recorder': {'torch': torch.__version__, 'every': self.every, 'mechanism': None}}
        meta.update(self._distributed_meta())
        return meta


def attach(optimizer, model=None, log_dir: str = 'runs', every: int = 1, **options) -> Probe:
    """Record ``optimizer``'s steps (torch.optim.AdamW, Adam or SGD) into a Weightscope run.

    ``model`` names the parameters (its ``named_parameters()``, unwrapped from
    DistributedDataParallel); ``log_dir`` is the runs folder, the run goes to
    ``<log_dir>/<run id>/``; every ``every``-th step is recorded (and step 1,
    and the last of ``steps`` when given). Options: ``name``, ``run_id``,
    ``steps`` (planned), ``batch_size``, ``seed``, ``dataset`` (run metadata),
    ``verify_every`` (DDP: compare the ranks' states every this many steps;
    0 turns it off), ``flush_seconds``, ``snapshots_per_decade``, ``bins``.

    Under torch.distributed, call it on every rank: rank 0 writes, the other
    ranks take part in the agreement checks. Call ``probe.log(loss)`` before
    each ``optimizer.step()`` and ``probe.close()`` at the end (or use
    ``with attach(…) as probe:``).
    """
    probe = Probe(optimizer, model, log_dir, every, **options)
    if probe.writer is not None:
        probe.writer.meta['recorder']['mechanism'] = probe.mechanism
        probe.writer.write_meta()
    return probe
