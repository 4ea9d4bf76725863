"""An independent reference for the tests: the layer records recomputed from what the test itself saw.

It never reads the optimizer's state: it replays the optimizer's moments in
float64 from the gradients the test captured (m ← β1·m + (1−β1)·g,
v ← β2·v + (1−β2)·g², with the coupled L2 term and maximize as torch applies
them), and takes θ before and after from its own copies. So a probe that read
the wrong state key, the wrong step count or the wrong parameter would differ.
"""
import math

import torch


class AdamReplay:
    def __init__(self, kind, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False):
        self.kind, self.lr, self.betas, self.eps = kind, lr, betas, eps
        self.wd, self.amsgrad, self.maximize = weight_decay, amsgrad, maximize
        self.m, self.v, self.vmax, self.t = {}, {}, {}, {}

    def layer(self, name, grad, before, after):
        """The expected layer record of one tensor at its next step (grad, θ before and after: tensors)."""
        theta = before.double()
        g = -grad if self.maximize else grad
        if self.kind == 'adam' and self.wd:
            # torch adds the L2 term in the parameter's dtype (grad.add(param, alpha=λ)); a float64 sum would
            # differ where g and λθ cancel, so the replay rounds this intermediate as torch does.
            g = g.add(before, alpha=self.wd)
        g = g.double()
        b1, b2 = self.betas
        t = self.t[name] = self.t.get(name, 0) + 1
        m = self.m[name] = b1 * self.m.get(name, torch.zeros_like(g)) + (1 - b1) * g
        v = self.v[name] = b2 * self.v.get(name, torch.zeros_like(g)) + (1 - b2) * g * g
        if self.amsgrad:
            v = self.vmax[name] = torch.maximum(self.vmax.get(name, torch.zeros_like(g)), v)
        m_hat = m / (1 - b1 ** t)
        root = torch.sqrt(v / (1 - b2 ** t))
        step = self.lr * m_hat / (root + self.eps)
        size = self.lr / (root + self.eps)
        decay = self.lr * self.wd * theta if self.kind == 'adamw' else torch.zeros_like(theta)
        update = after.double() - theta
        n = lambda x: float(x.norm())
        stats = lambda x: {'mean': float(x.mean()), 'std': float(x.std()) if x.numel() > 1 else None,
                           'min': float(x.min()), 'max': float(x.max())}
        step_norm, decay_norm = n(step), n(decay)
        effective = 0.0 if not self.wd else (self.lr * self.wd if self.kind == 'adamw' else self.wd * float(size.mean()))
        return {
            'gradNorm': n(grad.double()), 'weightNorm': n(theta), 'mNorm': n(m), 'mHatNorm': n(m_hat),
            'sqrtVHat': stats(root), 'stepSize': stats(size), 'stepNorm': step_norm, 'decayNorm': decay_norm,
            'decayShare': decay_norm / (decay_norm + step_norm) if decay_norm + step_norm else 0.0,
            'updateNorm': n(update), 'updateToWeight': n(update) / n(theta), 'effectiveDecay': effective,
        }


class SgdReplay:
    def __init__(self, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
        self.lr, self.mu, self.tau, self.wd, self.nesterov, self.maximize = lr, momentum, dampening, weight_decay, nesterov, maximize
        self.b = {}

    def layer(self, name, grad, before, after):
        theta = before.double()
        g = -grad if self.maximize else grad
        if self.wd:
            g = g.add(before, alpha=self.wd)  # in the parameter's dtype, as torch
        g = g.double()
        m_norm = None
        d = g
        if self.mu:
            b = self.b[name] = g.clone() if name not in self.b else self.mu * self.b[name] + (1 - self.tau) * g
            d = g + self.mu * b if self.nesterov else b
            m_norm = float(b.norm())
        update = after.double() - theta
        step_norm = self.lr * float(d.norm())
        return {
            'gradNorm': float(grad.double().norm()), 'weightNorm': float(theta.norm()), 'mNorm': m_norm, 'mHatNorm': None,
            'sqrtVHat': None, 'stepSize': None, 'stepNorm': step_norm, 'decayNorm': 0.0, 'decayShare': 0.0,
            'updateNorm': float(update.norm()), 'updateToWeight': float(update.norm()) / float(theta.norm()),
            'effectiveDecay': self.lr * self.wd,
        }


def assert_layer_close(case, actual, expected, where, rtol=1e-5, atol=1e-12, loose=('stepSize',)):
    """Every key of a layer record; numbers within rtol (stored with 7 digits: ≥ 5e-7 apart),
    `loose` keys (1/√v̂, which magnifies float32's rounding of tiny v) within 100·rtol."""
    case.assertEqual(set(actual), set(expected), where)
    for key, e in expected.items():
        a = actual[key]
        if e is None:
            case.assertIsNone(a, f'{where} {key}')
            continue
        tol = rtol * (100 if key in loose else 1)
        if isinstance(e, dict):
            for k, x in e.items():
                _close(case, a[k], x, tol, atol, f'{where} {key}.{k}')
        else:
            _close(case, a, e, tol, atol, f'{where} {key}')


def _close(case, a, e, rtol, atol, label):
    if e is None:
        case.assertIsNone(a, label)
        return
    if isinstance(e, float) and math.isnan(e):
        case.assertTrue(isinstance(a, str) and a == 'NaN' or (isinstance(a, float) and math.isnan(a)), label)
        return
    case.assertLessEqual(abs(a - e), rtol * abs(e) + atol, f'{label}: {a} vs {e}')
