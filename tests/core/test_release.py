"""A finished run leaves nothing behind once its session is dropped: no traced graph, no
TensorFlow function (tsvae_core.optimizers: Keras' all-reduce kept every train graph)."""
from __future__ import annotations

import gc

import keras
import pytest

from tsvae_core import events as ev
from tsvae_core.session.training import TrainingSession

from .tiny import QUICK_BUILD, tiny_configs

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                                reason="TensorFlow's graphs and function registry")


def _train_step_graphs() -> int:
    from tensorflow.python.framework import func_graph
    gc.collect()
    return sum(1 for o in gc.get_objects()
               if isinstance(o, func_graph.FuncGraph) and o.name == "one_step_on_data")


def _one_run() -> None:
    s = TrainingSession(*tiny_configs(epochs=1, **QUICK_BUILD))
    s.start()
    s.join(120)
    assert s.status == ev.FINISHED and s.epoch == 1


def test_a_dropped_run_frees_its_traced_graphs():
    _one_run()  # the first run also creates what every run shares
    before = _train_step_graphs()
    for _ in range(2):
        _one_run()
    assert _train_step_graphs() <= before  # each run leaked one train graph (and more)


def test_the_single_replica_optimizer_still_updates_every_weight():
    import numpy as np

    from tsvae_core.optimizers import make_optimizer
    _, _, train = tiny_configs()
    opt = make_optimizer(train)
    w = keras.Variable(np.ones(3, "float32"))
    opt.apply_gradients([(keras.ops.ones(3), w)])
    assert np.all(keras.ops.convert_to_numpy(w) < 1.0)
