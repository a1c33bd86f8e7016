"""The family views: plot functions on plain arrays, and the controller on real tiny runs."""
from __future__ import annotations

import holoviews as hv
import numpy as np
import pytest

from app.plots import family as fp
from app.tab import history
from app.plots import training as plots
from app.tab.controller import Controller
from tsvae_core import families
from app.cards.family import FamilyView
from app.server.runs import RunRegistry
from apptools import columns

rng = np.random.default_rng(0)
SAMPLE = {
    "kl_per_dim": rng.random(4),
    "noisy_input": rng.random((4, 16, 3)), "clean_target": rng.random((4, 16, 3)),
    "output": rng.random((4, 16, 3)),
    "mean_activation": rng.random(6),
    "codebook_usage": np.array([5, 0, 12, 3]), "perplexity": np.array(2.6),
    "pre_quantisation": rng.random((50, 3)), "pre_quantisation_labels": rng.integers(-1, 3, 50),
    "codebook": rng.random((4, 3)),
    "confusion_matrix": np.array([[5, 1, 0], [0, 4, 2], [1, 0, 6]]),
    "predicted": rng.random(30), "true": rng.random(30),
    "channel_names": ["s0", "s1", "time"],
}


@pytest.mark.parametrize("key", sorted(families.views()))
def test_each_view_draws_its_column_and_copes_with_no_data(key):
    view = families.views()[key]
    assert view.kind in fp.DRAWERS
    assert columns(fp.draw(key, SAMPLE))[view.column] > 0
    assert columns(fp.draw(key, None)).get(view.column, 0) == 0


def test_view_titles_state_the_figures():
    assert "3 of 4 codes used, perplexity 2.60" in fp.codebook_usage([5, 0, 12, 3], 2.6).opts.get().kwargs["title"]
    assert "2 of 3 dimensions active" in fp.kl_per_dim([0.5, 0.001, 2.0]).opts.get().kwargs["title"]
    heat = fp.confusion(np.array([[3, 1], [0, 4]]))
    assert "accuracy 0.88" in heat.opts.get().kwargs["title"]


def test_loss_curves_leave_out_kl_for_deterministic_families():
    data = history.empty_history()
    labels = lambda o: [c.label for c in o]  # noqa: E731
    assert "KL" in labels(plots.loss_curves(data, variational=True))
    assert not any("KL" in lab for lab in labels(plots.loss_curves(data, variational=False)))


def test_history_rows_carry_the_family_logs():
    row = history.history_row(3, {"loss": 1.0, "contractive_penalty": 0.2,
                                "val_contractive_penalty": 0.3}, 0.5, 0.1)
    assert row["contractive_penalty"][0] == 0.2 and row["val_contractive_penalty"][0] == 0.3
    assert np.isnan(row["sparsity_penalty"][0])
    curves = fp.family_curves(row, ("contractive_penalty",))
    assert [c.label for c in curves if isinstance(c, hv.Curve)] == [
        "contractive penalty", "val contractive penalty"]
    assert "contractive penalty 0.3" in curves.opts.get().kwargs["title"]


def test_family_card_renders_before_and_after_data(tiny_configs):
    ctrl = Controller(*tiny_configs(), registry=RunRegistry(max_runs=1))
    view = FamilyView(ctrl).__panel__()
    view.get_root()  # evaluates every DynamicMap with the empty pipe
    hint, grid = view
    assert hint.visible and len(grid) == 0  # nothing built before a family is known
    ctrl.streams.family_pipe.send(SAMPLE)  # as the controller does: data, then the views
    ctrl.state.param.update(family_views=["kl_per_dim"], family_log_keys=["sparsity_penalty"], epoch=1)
    assert not hint.visible
    assert [p.css_classes[0] for p in grid] == ["tsvae-family-curves", "tsvae-family-kl_per_dim"]
    view.get_root()  # the new plots draw with the data
    ctrl.state.param.update(family_views=[], family_log_keys=[])
    assert hint.visible and len(grid) == 0
    ctrl.shutdown()


@pytest.fixture
def run_one_epoch(tiny_configs, wait):
    made = []

    def run(architecture: str, **overrides) -> Controller:
        ctrl = Controller(*tiny_configs(architecture=architecture, **overrides),
                          tab=f"fam{len(made)}", registry=RunRegistry(max_runs=2))
        made.append(ctrl)
        ctrl.param.trigger("start")
        wait(ctrl, lambda: ctrl.state.epoch >= 1, 120, f"{architecture}: epoch 1")
        return ctrl

    yield run
    for ctrl in made:
        s = ctrl.session
        ctrl.shutdown()
        if s is not None:
            s.join(30)


@pytest.mark.parametrize("architecture, variational, name, views, logs", [
    ("autoencoder", False, "code", [], []),
    ("sparse_ae", False, "code", ["mean_activation"], ["sparsity_penalty"]),
    ("beta_vae", True, "z_mean", ["kl_per_dim"], []),
    ("vq_vae", False, "code", ["codebook_usage", "pre_quantisation"],
     ["codebook_loss", "commitment_loss", "perplexity"]),
])
def test_controller_follows_the_family(run_one_epoch, architecture, variational, name, views,
                                       logs):
    ctrl = run_one_epoch(architecture, latent_dim=3)
    assert (ctrl.state.variational, ctrl.state.latent_name) == (variational, name)
    assert ctrl.state.family_views == views and ctrl.state.family_log_keys == logs
    assert ctrl.state.latent_note.startswith("PCA projection of") and f"-D {name} " in ctrl.state.latent_note
    assert ctrl.streams.latent_pipe.data["name"] == name
    if views:
        assert ctrl.streams.family_pipe.data["epoch"] >= 1
        for key in views:
            column = families.views()[key].column
            assert columns(fp.draw(key, ctrl.streams.family_pipe.data))[column] > 0
    ctrl.param.trigger("reset")
    assert ctrl.state.family_views == [] and ctrl.streams.family_pipe.data is None
