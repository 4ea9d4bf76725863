"""weightscope_probe: record what AdamW (or Adam, SGD) does to every layer of a real PyTorch training,
as a Weightscope run that the editor's training inspector opens.

    import weightscope_probe
    probe = weightscope_probe.attach(optimizer, model, log_dir='runs', every=10)
    for x, y in loader:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad(); loss.backward()
        probe.log(loss)
        optimizer.step()
    probe.close()

Needs only torch. See docs/run-format.md for what is written.
"""
from .distributed import UnsupportedOptimizerError
from .probe import PRODUCER, Probe, attach
from .writer import RUN_FORMAT_VERSION

__version__ = '0.1.0'
__all__ = ['attach', 'Probe', 'UnsupportedOptimizerError', 'PRODUCER', 'RUN_FORMAT_VERSION', '__version__']
