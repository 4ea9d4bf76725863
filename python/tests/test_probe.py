"""Single-process tests: every optimizer form against an independent replay, schedules, hooks, refusals."""
import math
import os
import tempfile
import unittest
import warnings

from helpers import SimpleModel, only_run, read_run  # noqa: F401  (sets the import path)

import torch
import weightscope_probe
from weightscope_probe import UnsupportedOptimizerError
from weightscope_probe.stats import histogram, moments
from weightscope_probe.writer import encode_record, stored_number
from reference import AdamReplay, SgdReplay, assert_layer_close

STEPS = 12


def train(case, make_optimizer, replay, every=1, optimizer_class=None, closure=False):
    """Train SimpleModel for STEPS steps with the probe; compare every record with `replay`."""
    torch.manual_seed(0)
    model = SimpleModel()
    opt = make_optimizer(model.parameters())
    x, y = torch.randn(64, 10), torch.randn(64, 1)
    log_dir = tempfile.mkdtemp()
    probe = weightscope_probe.attach(opt, model, log_dir=log_dir, every=every, steps=STEPS, run_id='r')
    expected, losses = {}, {}
    for t in range(1, STEPS + 1):
        xb, yb = x[(t % 2) * 32:(t % 2) * 32 + 32], y[(t % 2) * 32:(t % 2) * 32 + 32]
        before = {n: p.detach().clone() for n, p in model.named_parameters()}

        def compute():
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(xb), yb)
            loss.backward()
            return loss
        if closure:
            loss = opt.step(compute)
        else:
            loss = compute()
            probe.log(loss, epoch=t // 2)
            opt.step()
        losses[t] = float(loss)
        expected[t] = {n: replay.layer(n, p.grad, before[n], p.detach()) for n, p in model.named_parameters()}
    probe.close()
    meta, steps, snapshots = read_run(only_run(log_dir))
    recorded = [t for t in range(1, STEPS + 1) if t == 1 or t % every == 0 or t == STEPS]
    case.assertEqual([s['step'] for s in steps], recorded)
    for s in steps:
        t = s['step']
        case.assertAlmostEqual(s['loss'], losses[t], delta=1e-6 * abs(losses[t]))
        case.assertAlmostEqual(s['gradNorm'], math.sqrt(sum(e['gradNorm'] ** 2 for e in expected[t].values())),
                               delta=1e-6 * s['gradNorm'])
        for name, layer in expected[t].items():
            assert_layer_close(case, s['layers'][name], layer, f'step {t} {name}')
    case.assertEqual(meta['status'], 'completed')
    case.assertEqual(meta['stepsDone'], STEPS)
    case.assertEqual([p['name'] for p in meta['model']['parameters']], [n for n, _ in model.named_parameters()])
    for snap in snapshots:
        for name, terms in snap['layers'].items():
            numel = dict(model.named_parameters())[name].numel()
            for term, h in terms.items():
                case.assertEqual(sum(h['counts']), numel, f'{name} {term} at {snap["step"]}')
                case.assertLessEqual(h['lo'], h['hi'])
    return meta, steps, snapshots, probe


class OptimizerForms(unittest.TestCase):
    def test_adamw(self):
        meta, steps, snaps, probe = train(self, lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=1e-2),
                                          AdamReplay('adamw', 1e-3, weight_decay=1e-2))
        self.assertEqual(meta['optimizer']['type'], 'AdamW')
        self.assertEqual(meta['optimizer']['decay'], 'torch')
        self.assertEqual(steps[2]['biasCorrection1'], stored_number(1 / (1 - 0.9 ** 3)))
        self.assertEqual(steps[2]['biasCorrection2'], stored_number(1 / (1 - 0.999 ** 3)))
        self.assertEqual([s['step'] for s in snaps], list(range(1, 11)) + [12])  # dense up to 10; 11 is not on the log schedule, 12 is the last
        self.assertEqual(set(snaps[0]['layers']['fc1.weight']), {'weight', 'mHat', 'sqrtVHat', 'update'})
        self.assertEqual(probe.mechanism, 'wrapper' if not hasattr(torch.optim.Optimizer, 'register_step_pre_hook') else 'hooks')

    def test_adam_coupled_l2_amsgrad_maximize(self):
        meta, steps, _, _ = train(self, lambda p: torch.optim.Adam(p, lr=3e-3, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1,
                                                                   amsgrad=True, maximize=True),
                                  AdamReplay('adam', 3e-3, (0.8, 0.99), 1e-6, 0.1, amsgrad=True, maximize=True))
        self.assertEqual(meta['optimizer']['type'], 'Adam')
        layer = steps[-1]['layers']['fc1.weight']
        self.assertEqual(layer['decayNorm'], 0)  # coupled: no decoupled decay term
        self.assertGreater(layer['effectiveDecay'], 0)

    def test_sgd_nesterov_l2(self):
        _, steps, snaps, _ = train(self, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-3, nesterov=True),
                                   SgdReplay(0.05, 0.9, 0.0, 1e-3, nesterov=True))
        self.assertIsNone(steps[0]['biasCorrection1'])
        self.assertEqual(set(snaps[-1]['layers']['fc2.bias']), {'weight', 'mHat', 'update'})

    def test_plain_sgd_with_dampening_and_every_5(self):
        _, steps, snaps, _ = train(self, lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.5, dampening=0.3, maximize=True),
                                   SgdReplay(0.01, 0.5, 0.3, maximize=True), every=5)
        self.assertEqual([s['step'] for s in snaps], [1, 5, 10, 12])  # only recorded steps can be snapshots

    def test_closure_loss(self):
        _, steps, _, _ = train(self, lambda p: torch.optim.AdamW(p, lr=1e-3), AdamReplay('adamw', 1e-3, weight_decay=1e-2),
                               closure=True)
        self.assertTrue(all(isinstance(s['loss'], float) for s in steps))


class HookedAdamW(torch.optim.AdamW):
    """torch ≥ 2.0's step hooks, re-created on torch versions without them, to run the probe's hook path here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pre, self._post = {}, {}

    def register_step_pre_hook(self, hook):
        return self._register(self._pre, hook)

    def register_step_post_hook(self, hook):
        return self._register(self._post, hook)

    @staticmethod
    def _register(table, hook):
        key = object()
        table[key] = hook

        class Handle:
            def remove(self):
                table.pop(key, None)
        return Handle()

    def step(self, closure=None):
        for h in list(self._pre.values()):
            h(self, (), {})
        out = super().step(closure)
        for h in list(self._post.values()):
            h(self, (), {})
        return out


class Mechanisms(unittest.TestCase):
    def test_hook_path_is_chosen_by_feature_and_records_the_same(self):
        meta, _, _, probe = train(self, lambda p: HookedAdamW(p, lr=1e-3, weight_decay=1e-2), AdamReplay('adamw', 1e-3, weight_decay=1e-2))
        self.assertEqual(probe.mechanism, 'hooks')
        self.assertEqual(meta['recorder']['mechanism'], 'hooks')
        self.assertEqual(probe.optimizer._pre, {})  # close removed the hooks

    def test_close_restores_step(self):
        model = SimpleModel()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        probe = weightscope_probe.attach(opt, model, log_dir=tempfile.mkdtemp())
        if probe.mechanism == 'wrapper':
            self.assertIn('step', opt.__dict__)
        probe.close()
        self.assertNotIn('step', opt.__dict__)


    def test_lr_schedulers_created_before_or_after_attach(self):
        for scheduler_first in (True, False):
            model = SimpleModel()
            opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
            make = lambda: torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
            sched = make() if scheduler_first else None
            log_dir = tempfile.mkdtemp()
            probe = weightscope_probe.attach(opt, model, log_dir=log_dir)
            sched = sched or make()
            with warnings.catch_warnings():
                warnings.simplefilter('error')  # torch warns when it thinks step() lost its scheduler counter
                self._train(model, opt, probe, sched)
            probe.close()
            _, steps, _ = read_run(only_run(log_dir))
            self.assertEqual([s['lr'] for s in steps], [1e-2, 1e-2, 5e-3, 5e-3], f'scheduler first: {scheduler_first}')

    @staticmethod
    def _train(model, opt, probe, sched):
        for _ in range(4):
            loss = model(torch.randn(4, 10)).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            probe.log(loss)
            opt.step()
            sched.step()


class Refusals(unittest.TestCase):
    def test_other_optimizers(self):
        model = SimpleModel()
        with self.assertRaisesRegex(UnsupportedOptimizerError, 'AdamW, Adam and SGD; got RMSprop'):
            weightscope_probe.attach(torch.optim.RMSprop(model.parameters()), model, log_dir=tempfile.mkdtemp())

    def test_sharded_optimizers_and_models(self):
        # Recognized by class name (the real classes need a process group, and FSDP does not import on every build).
        class ZeroRedundancyOptimizer(torch.optim.AdamW):
            pass

        class FullyShardedDataParallel(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner
        model = SimpleModel()
        with self.assertRaisesRegex(UnsupportedOptimizerError, 'ZeroRedundancyOptimizer yet'):
            weightscope_probe.attach(ZeroRedundancyOptimizer(model.parameters()), model, log_dir=tempfile.mkdtemp())
        with self.assertRaisesRegex(UnsupportedOptimizerError, 'FullyShardedDataParallel yet'):
            weightscope_probe.attach(torch.optim.AdamW(model.parameters()), FullyShardedDataParallel(model), log_dir=tempfile.mkdtemp())

    def test_run_id_must_be_a_plain_folder_name(self):
        model = SimpleModel()
        log_dir = tempfile.mkdtemp()
        for bad in ('../escaped', '/tmp/elsewhere', 'a/b', '..', 'x\n'):
            with self.assertRaisesRegex(ValueError, 'not a plain folder name'):
                weightscope_probe.attach(torch.optim.AdamW(model.parameters()), model, log_dir=log_dir, run_id=bad)
        self.assertEqual(os.listdir(log_dir), [])
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(log_dir), 'escaped')))

    def test_bad_every(self):
        model = SimpleModel()
        with self.assertRaisesRegex(ValueError, 'every must be a positive integer'):
            weightscope_probe.attach(torch.optim.AdamW(model.parameters()), model, log_dir=tempfile.mkdtemp(), every=0)


class Format(unittest.TestCase):
    def test_stored_numbers(self):
        self.assertEqual(stored_number(0.123456789), 0.1234568)
        self.assertEqual(stored_number(3), 3)
        self.assertEqual(stored_number(float('nan')), 'NaN')
        self.assertEqual(stored_number(float('-inf')), '-Infinity')

    def test_one_element_std_is_null(self):
        self.assertIsNone(moments(torch.tensor([2.0], dtype=torch.float64))['std'])
        self.assertAlmostEqual(moments(torch.tensor([1.0, 3.0], dtype=torch.float64))['std'], math.sqrt(2))
        self.assertIn('"std":null', encode_record('step', {'sqrtVHat': moments(torch.tensor([2.0], dtype=torch.float64))}))

    def test_histogram_matches_its_edges(self):
        torch.manual_seed(1)
        for x in (torch.randn(1000), torch.tensor([2.0, 2.0]), torch.tensor([0.0, 1.0, 1.0]), torch.rand(333) * 1e-7):
            h = histogram(x, 32)
            lo, hi = h['lo'], h['hi']
            edges = [lo + (hi - lo) * i / 32 for i in range(32)] + [hi]
            counts = [0] * 32
            for v in x.double().tolist():
                i = next(k for k in range(32) if edges[k] <= v < edges[k + 1]) if v < hi else 31
                counts[i] += 1
            self.assertEqual(h['counts'], counts)

    def test_no_loss_is_nan_with_a_warning(self):
        model = SimpleModel()
        opt = torch.optim.AdamW(model.parameters())
        log_dir = tempfile.mkdtemp()
        probe = weightscope_probe.attach(opt, model, log_dir=log_dir)
        model(torch.randn(4, 10)).sum().backward()
        with self.assertWarnsRegex(UserWarning, 'no loss given'):
            opt.step()
        probe.close()
        _, steps, _ = read_run(only_run(log_dir))
        self.assertEqual(steps[0]['loss'], 'NaN')
        self.assertFalse(any(n.endswith('.tmp') for n in os.listdir(only_run(log_dir))))


if __name__ == '__main__':
    unittest.main()
