"""Regenerate every golden fixture under test/fixtures/ from PyTorch.

Usage (from the repository root):

    /usr/bin/python3 scripts/golden/generate.py [OUT_DIR]

OUT_DIR defaults to test/fixtures. The run is deterministic: every random
draw is seeded from common.BASE_SEED, torch runs single-threaded, and the
fixtures record torch's and numpy's versions. The generators are:

* gen_init.main(out)  -> init.json               (torch.nn.init)
* gen_mlp.main(out)   -> mlp/*.json, *.safetensors, *.npy (MLP training)
* gen_modules.main(out) -> modules.json         (torch.nn module catalogue:
                                                  state_dicts, initial values)
* gen_ops_cnn.main(out) -> ops/cnn.json         (convolution, pooling, norms,
                                                  embedding, RNNs, cross-entropy)
* gen_shape_ops.main(out) -> shape_ops.json     (broadcasting, views, indexing,
                                                  batched matmul, attention)
* gen_training.main(out) -> training/<model>/   (10 AdamW steps of six real
                                                  models read from their .py
                                                  files: weights, batch, losses,
                                                  gradients, parameters)
* gen_activations.main(out) -> activations.json (relu6, hardtanh, hardsigmoid,
                                                  hardswish)
* gen_ops_3d.main(out) -> ops_3d.json          (conv3d, adaptive_avg_pool3d,
                                                  batch_norm over [N, C, D, H, W])
* gen_attention.main(out) -> attention.json   (nn.MultiheadAttention's
                                                  training path)
* gen_erfinv.main(out) -> erfinv/               (glibc's erf/exp/log, float and double,
                                                  torch.erfinv and trunc_normal_
                                                  in float32 and float64, bit for bit)
* gen_optim.main(out) -> optimizer fixtures      (optional; skipped with a
                                                  message if not present)
"""

from __future__ import annotations

import importlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def main(argv: list) -> int:
    """Run every generator into the output directory; returns an exit code."""
    sys.path.insert(0, HERE)
    import torch  # imported here so that --help-like failures are cheap

    torch.set_num_threads(1)  # one thread: reductions always in the same order
    out = os.path.abspath(argv[1]) if len(argv) > 1 else os.path.join(REPO, "test", "fixtures")
    os.makedirs(out, exist_ok=True)
    print(f"torch {torch.__version__}; writing fixtures to {out}")

    import gen_init
    import gen_mlp
    import gen_modules
    import gen_ops_cnn
    import gen_shape_ops
    import gen_training
    import gen_activations
    import gen_ops_3d
    import gen_attention
    import gen_erfinv

    gen_init.main(out)
    gen_mlp.main(out)
    gen_modules.main(out)
    gen_ops_cnn.main(out)
    gen_shape_ops.main(out)
    gen_training.main(out)
    gen_activations.main(out)
    gen_ops_3d.main(out)
    gen_attention.main(out)
    gen_erfinv.main(out)
    try:
        gen_optim = importlib.import_module("gen_optim")
    except ModuleNotFoundError as exc:
        if exc.name != "gen_optim":
            raise
        print("gen_optim.py not found: optimizer fixtures were NOT regenerated")
    else:
        gen_optim.main(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
