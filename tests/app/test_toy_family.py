"""A new model family is its model class and its FamilySpec, nothing else (issue 24).

This file is the whole of a toy family: a tiny dense autoencoder with a field of its own
(``toy_width``), a log entry of its own (``toy_penalty``), a view of its own
(``toy_code_mean``, kind "bars") and its own sweep objective. Registered, it must show up
in the architecture widget, the CLI flags, the sweep space, the history columns and the
family views, and train one epoch through the page's controller.

Registering adds a field to ModelConfig for the rest of the process, so the toy family is
registered in a fresh interpreter (this file run as a script), which prints what it
found; the test asserts on that.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import param
from keras import layers, ops

from tsvae_core.families import FamilySpec, FamilyView, register
from tsvae_core.models.autoencoder import Autoencoder

ROOT = Path(__file__).resolve().parents[2]


class ToyAE(Autoencoder):
    """A dense bottleneck with an L2 penalty on the code."""
    penalty_names = ("toy_penalty",)

    def penalties(self, x, code, training) -> dict:
        return {"toy_penalty": (ops.mean(ops.square(code)), 0.01)}

    def epoch_extras(self, x, labels, row_start) -> dict:
        return {"toy_code_mean": self.latent(x).mean(axis=0)}


def build_toy(data, model) -> ToyAE:
    steps, channels = data.seq_len, data.n_features + 1
    x = keras.Input((steps, channels))
    h = layers.Dense(model.toy_width, activation=model.activation)(layers.Flatten()(x))
    code = layers.Dense(model.latent_dim)(h)
    z = keras.Input((model.latent_dim,))
    out = layers.Reshape((steps, channels))(layers.Dense(steps * channels)(z))
    return ToyAE(keras.Model(x, [code, code]), keras.Model(z, out), name="toy_ae")


TOY = FamilySpec(
    "toy_ae", build_toy, doc="a test's toy: a dense bottleneck with an L2 code penalty",
    params={"toy_width": param.Integer(8, bounds=(2, 64), doc="Toy: units of its one layer.")},
    views=(FamilyView("toy_code_mean", "Mean code per unit", "toy_code_value"),),
    logs={"toy_penalty": "toy penalty"}, objective=("val_toy_penalty", "minimize"),
    cost_ratio=0.5)


def probe() -> dict:
    """Register the toy family, then look for it everywhere a family appears."""
    import panel as pn

    from apptools import TINY, columns, wait_for
    from app.tab import epoch_estimate, history
    from app.cards.settings import Settings
    from app.tab.controller import Controller
    from app.plots import family as fp
    from app.server.runs import RunRegistry
    from tsvae_core import cli
    from tsvae_core.sweep import cli as sweep_cli
    from tsvae_core.config import make_configs
    from tsvae_core.sweep.study import SweepSpec
    from tsvae_core.sweep.space import FieldRange, sweepable_fields

    register(TOY)
    found = {}
    # the architecture widget, and the toy's own field shown only while it is chosen
    ctrl = Controller(*make_configs("quick", **TINY, architecture="toy_ae", toy_width=6),
                      registry=RunRegistry(max_runs=1))
    layout = Settings(ctrl).__panel__()
    selects = [w for w in layout.select(pn.widgets.Select) if "dense_vae" in w.options]
    found["widget_options"] = list(selects[0].options) if selects else []
    found["toy_width_precedence"] = ctrl.model.param["toy_width"].precedence
    ctrl.model.architecture = "dense_vae"
    found["toy_width_precedence_other"] = ctrl.model.param["toy_width"].precedence
    ctrl.model.architecture = "toy_ae"
    # the command lines: choices, the field's flag, its range check
    parser = cli.build_parser()
    args = parser.parse_args(["--architecture", "toy_ae", "--toy-width", "5"])
    found["cli_args"] = [args.architecture, args.toy_width]
    found["cli_out_of_range"] = cli.check_flags(parser.parse_args(["--toy-width", "999"]))[0]
    found["sweep_cli_has_flag"] = "--toy-width" in sweep_cli.build_parser().format_help()
    # the sweep space and the family objective
    found["sweepable"] = "toy_width" in sweepable_fields()
    FieldRange("architecture", choices=["toy_ae", "dense_vae"]).check()
    FieldRange("toy_width", low=2, high=16).check()
    spec = SweepSpec("toy", [FieldRange("toy_width", low=2, high=16)],
                     fixed={"architecture": "toy_ae"}, objective="family").check()
    found["objective"] = list(spec.metric())
    # the history columns, the views, the epoch estimate
    found["history_columns"] = [c for c in history.history_columns() if "toy" in c]
    found["view_column_rows"] = columns(fp.draw("toy_code_mean",
                                                {"toy_code_mean": np.ones(3)})).get(
        "toy_code_value", 0)
    found["estimate_basis"] = epoch_estimate.estimate(ctrl.data, ctrl.model).basis
    default = make_configs("quick", **TINY)[1]
    found["estimate_ratio"] = (epoch_estimate.estimate(ctrl.data, ctrl.model).seconds
                               / epoch_estimate.estimate(ctrl.data, default).seconds)
    # one real epoch through the page's controller
    ctrl.param.trigger("start")
    wait_for(ctrl, lambda: ctrl.state.epoch >= 1, 180, "toy_ae: epoch 1")
    found["epoch"] = ctrl.state.epoch
    found["family_views"] = list(ctrl.state.family_views)
    found["family_log_keys"] = list(ctrl.state.family_log_keys)
    found["history_penalty"] = float(ctrl.streams.loss_buffer.data["val_toy_penalty"].iloc[-1])
    found["model_width"] = int(ctrl.session.model.encoder.layers[2].units)
    found["pipe_rows"] = columns(fp.draw("toy_code_mean", ctrl.streams.family_pipe.data)).get(
        "toy_code_value", 0)
    s = ctrl.session
    ctrl.shutdown()
    if s is not None:
        s.join(30)
    return found


def test_a_toy_family_registered_in_its_own_file_shows_up_everywhere_and_trains():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, __file__], capture_output=True, text=True,
                         timeout=400, cwd=ROOT, env=env)
    assert out.returncode == 0, out.stderr[-4000:]
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert "toy_ae" in found["widget_options"] and "dense_vae" in found["widget_options"]
    assert found["toy_width_precedence"] != -1 and found["toy_width_precedence_other"] == -1
    assert found["cli_args"] == ["toy_ae", 5]
    assert "--toy-width 999" in found["cli_out_of_range"] and "2..64" in found["cli_out_of_range"]
    assert found["sweep_cli_has_flag"] and found["sweepable"]
    assert found["objective"] == ["val_toy_penalty", "minimize"]
    assert found["history_columns"] == ["toy_penalty", "val_toy_penalty"]
    assert found["view_column_rows"] == 3
    assert "toy_ae" in found["estimate_basis"]
    assert abs(found["estimate_ratio"] - 0.5) < 1e-9  # its cost_ratio, before it has run
    assert found["epoch"] >= 1
    assert found["family_views"] == ["toy_code_mean"]
    assert found["family_log_keys"] == ["toy_penalty"]
    assert np.isfinite(found["history_penalty"])
    assert found["model_width"] == 6              # its own field reached its builder
    assert found["pipe_rows"] == 2                # latent_dim 2: one bar per code unit


if __name__ == "__main__":
    print(json.dumps(probe()))
