"""Reference values for test/unit/tensor/torch-reference.test.ts, computed by PyTorch.

Every case applies one op (or loss) to small fixed inputs, then backpropagates a
fixed upstream gradient (or 1 for a scalar loss), and records the output and
the input gradients in float64 — and, for the ops whose float32 result is a
single IEEE rounding in torch, also in float32 (to be matched bit for bit).

Inputs are float32 values widened to float64, so both dtypes see the same
numbers. Run with a Python that has torch:  python3 generate.py > reference.json
"""

import json
import re
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
SHAPE = (3, 4)


def draw(*shape, scale=1.0, low=None, high=None):
    if low is not None:
        v = torch.rand(*shape) * (high - low) + low
    else:
        v = torch.randn(*shape) * scale
    return v.float()


INPUTS = {
    "x": draw(*SHAPE, scale=2.0),
    "other": draw(*SHAPE),
    "prob": draw(*SHAPE, low=0.02, high=0.98),
    "target01": draw(*SHAPE, low=0.0, high=1.0),
    "row": draw(SHAPE[1], low=0.5, high=2.0),
    "weight": draw(5, SHAPE[1]),
    "bias": draw(5),
    "ln_weight": draw(SHAPE[1], low=0.5, high=1.5),
    "ln_bias": draw(SHAPE[1]),
    "pos_weight": draw(SHAPE[1], low=0.2, high=3.0),
    "upstream": draw(*SHAPE),
    "upstream_linear": draw(SHAPE[0], 5),
}
CLASSES = [3, 0, 2]


def leaf(name, dtype):
    return INPUTS[name].to(dtype).clone().requires_grad_(True)


def const(name, dtype):
    return INPUTS[name].to(dtype)


def unary(f):
    def case(dtype):
        x = leaf("x", dtype)
        return f(x), {"x": x}, "upstream"

    return case


def binary_row(f):
    def case(dtype):
        x, row = leaf("x", dtype), leaf("row", dtype)
        return f(x, row), {"x": x, "row": row}, "upstream"

    return case


def loss_of(f, input_name="x"):
    def case(dtype):
        x = leaf(input_name, dtype)
        return f(x, dtype), {input_name: x}, None

    return case


def linear(dtype):
    x, w, b = leaf("x", dtype), leaf("weight", dtype), leaf("bias", dtype)
    return F.linear(x, w, b), {"x": x, "weight": w, "bias": b}, "upstream_linear"


def layer_norm(dtype):
    x, w, b = leaf("x", dtype), leaf("ln_weight", dtype), leaf("ln_bias", dtype)
    return F.layer_norm(x, [SHAPE[1]], w, b), {"x": x, "ln_weight": w, "ln_bias": b}, "upstream"


targets = torch.tensor(CLASSES)
ignored = torch.tensor([CLASSES[0], -100, CLASSES[2]])

CASES = {
    "relu": unary(F.relu),
    "leaky_relu": unary(F.leaky_relu),
    "elu": unary(F.elu),
    "selu": unary(F.selu),
    "gelu": unary(F.gelu),
    "gelu_tanh": unary(lambda x: F.gelu(x, approximate="tanh")),
    "silu": unary(F.silu),
    "tanh": unary(torch.tanh),
    "sigmoid": unary(torch.sigmoid),
    "softplus": unary(F.softplus),
    "softplus_beta2_threshold1": unary(lambda x: F.softplus(x, beta=2, threshold=1)),
    "softmax": unary(lambda x: F.softmax(x, -1)),
    "log_softmax": unary(lambda x: F.log_softmax(x, -1)),
    "exp": unary(torch.exp),
    "neg": unary(torch.neg),
    "sqrt": lambda dtype: (lambda p: (torch.sqrt(p), {"prob": p}, "upstream"))(leaf("prob", dtype)),
    "log": lambda dtype: (lambda p: (torch.log(p), {"prob": p}, "upstream"))(leaf("prob", dtype)),
    "square": unary(lambda x: x.pow(2)),
    "cube": unary(lambda x: x.pow(3)),
    "affine_scalars": unary(lambda x: (x + 0.1) * 0.3 - 2.0),
    "mul_row": binary_row(lambda x, r: x * r),
    "div_row": binary_row(lambda x, r: x / r),
    "add_row": binary_row(lambda x, r: x + r),
    "linear": linear,
    "layer_norm": layer_norm,
    "sum_dim0": lambda dtype: (lambda x: (x.sum(0), {"x": x}, None))(leaf("x", dtype)),
    "mean_dim1": lambda dtype: (lambda x: (x.mean(1), {"x": x}, None))(leaf("x", dtype)),
    "max_all": lambda dtype: (lambda x: (x.max(), {"x": x}, None))(leaf("x", dtype)),
    "mse": loss_of(lambda x, d: F.mse_loss(x, const("other", d))),
    "l1": loss_of(lambda x, d: F.l1_loss(x, const("other", d))),
    "smooth_l1_beta0.7": loss_of(lambda x, d: F.smooth_l1_loss(x, const("other", d), beta=0.7)),
    "huber_delta1.3": loss_of(lambda x, d: F.huber_loss(x, const("other", d), delta=1.3)),
    "l1_none": loss_of(lambda x, d: F.l1_loss(x, const("other", d), reduction="none")),
    "mse_none": loss_of(lambda x, d: F.mse_loss(x, const("other", d), reduction="none")),
    "mse_sum": loss_of(lambda x, d: F.mse_loss(x, const("other", d), reduction="sum")),
    "bce": loss_of(lambda x, d: F.binary_cross_entropy(x, const("target01", d)), "prob"),
    "bce_with_logits": loss_of(lambda x, d: F.binary_cross_entropy_with_logits(x, const("target01", d))),
    "bce_with_logits_pos_weight": loss_of(
        lambda x, d: F.binary_cross_entropy_with_logits(x, const("target01", d), pos_weight=const("pos_weight", d))
    ),
    "cross_entropy": loss_of(lambda x, d: F.cross_entropy(x, targets)),
    "cross_entropy_sum": loss_of(lambda x, d: F.cross_entropy(x, targets, reduction="sum")),
    "cross_entropy_smoothing0.1": loss_of(lambda x, d: F.cross_entropy(x, targets, label_smoothing=0.1)),
    "cross_entropy_smoothing0.2_ignore": loss_of(lambda x, d: F.cross_entropy(x, ignored, label_smoothing=0.2)),
}

#: Float32 cases that torch computes with one rounding per elementary step, so the engine must match
#: them bit for bit: (is the output compared, which leaves' gradients are). Reduced losses are sums that
#: torch accumulates in float32, and gradients of broadcast operands are row sums, so those are left out.
FLOAT32_EXACT = {
    "relu": (True, ["x"]),
    "leaky_relu": (True, ["x"]),
    "neg": (True, ["x"]),
    "sqrt": (True, []),
    "square": (True, ["x"]),
    "affine_scalars": (True, ["x"]),
    "mul_row": (True, ["x"]),
    "div_row": (True, ["x"]),
    "add_row": (True, ["x"]),
    "l1_none": (True, ["x"]),
    "mse_none": (True, ["x"]),
    "mse": (False, ["x"]),
    "mse_sum": (False, ["x"]),
    "l1": (False, ["x"]),
}


def run(name, dtype, exact=(True, None)):
    output_exact, exact_grads = exact
    y, leaves, upstream = CASES[name](dtype)
    if upstream is None:
        y.backward(torch.ones_like(y))
    else:
        y.backward(const(upstream, dtype))
    result = {
        "output": y.detach().flatten().tolist(),
        "outputShape": list(y.shape),
        "grads": {k: v.grad.flatten().tolist() for k, v in leaves.items() if exact_grads is None or k in exact_grads},
    }
    if not output_exact:
        del result["output"]
    return result


def main():
    result = {
        "torchVersion": torch.__version__,
        "inputs": {k: {"shape": list(v.shape), "values": v.flatten().double().tolist()} for k, v in INPUTS.items()},
        "classes": CLASSES,
        "float64": {name: run(name, torch.float64) for name in CASES},
        "float32": {name: run(name, torch.float32, exact) for name, exact in FLOAT32_EXACT.items()},
    }
    text = json.dumps(result, indent=1)
    # One line per number list keeps the file short and its diffs readable.
    text = re.sub(r"\[\s*([-+0-9.eE,\s]*?)\s*\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
