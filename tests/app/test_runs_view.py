"""The run table, the comparison plot's data and the overlay choice (no training needed:
records are put into the controller's history as the controller would)."""
from __future__ import annotations

import holoviews as hv
import numpy as np
import pytest

from app.plots import runs as rp
from app.tab.controller import Controller
from app.server.runs import RunRegistry
from app.cards.runs import RunsView
from tsvae_core import events as ev
from tsvae_core.runs import RunHistory, RunRecord


def _record(configs, run_id, epochs, status=ev.FINISHED, loss0=1.0, **config):
    d, m, t = configs
    rec = RunRecord.new(d, m, t, run_id=run_id)
    rec.config.update(config)
    for i in range(1, epochs + 1):
        rec.history.append({"epoch": i, "loss": loss0 / i, "val_loss": 1.1 * loss0 / i,
                            "knn_accuracy": 0.3 + 0.1 * i, "silhouette": 0.1,
                            "epoch_seconds": 0.5})
    if epochs:
        rec.final_loss, rec.best_knn, rec.elapsed_s = loss0 / epochs, 0.3 + 0.1 * epochs, 65.0
    rec.status = status
    return rec


def test_table_is_newest_first_marks_the_current_run_and_highlights_differences(tiny_configs):
    cfg = tiny_configs()
    runs = RunHistory()
    runs.add(_record(cfg, "aaa", 3, latent_dim=2))
    runs.add(_record(cfg, "bbb", 2, latent_dim=3, loaded_from="aaa.keras"))
    runs.add(_record(cfg, "ccc", 1, status=ev.RUNNING, latent_dim=3, architecture="dense_vae"))
    html = rp.runs_table(runs.list(), "ccc", runs.differences())
    rows = html.split("<tr ")[1:]  # the header row is a bare <tr>
    assert [r.split("data-run-id='")[1][:3] for r in rows] == ["ccc", "bbb", "aaa"]
    assert "class='tsvae-current'" in rows[0] and "◀ current" in rows[0]
    assert "tsvae-current" not in rows[1] + rows[2]
    for col in ("architecture", "latent dim", "loaded from", "final loss", "best k-NN", "time"):
        assert f"<th>{col}</th>" in html
    assert "<th>seq len</th>" not in html  # the same in every run: no column
    # a cell differs from the current run's value: highlighted
    assert "<td data-field='latent_dim' class='tsvae-diff'>2</td>" in rows[2]
    assert "<td data-field='latent_dim'>3</td>" in rows[1]
    assert "<td data-field='architecture' class='tsvae-diff'>conv_attention_gru</td>" in rows[1]
    assert "<td data-field='loaded_from' class='tsvae-diff'>aaa.keras</td>" in rows[1]
    # epochs, final loss, best k-NN, time
    assert "<td>3</td><td>0.3333</td><td>0.600</td><td>1:05</td>" in rows[2]
    assert "data-status='running'" in rows[0]


def test_table_without_runs_says_how_to_begin():
    assert "No runs yet" in rp.runs_table([], "", set())


def test_comparison_has_fixed_layers_whatever_the_number_of_runs(tiny_configs):
    cfg = tiny_configs()
    cur = rp.run_curves(_record(cfg, "cur", 4))
    earlier = [rp.run_curves(_record(cfg, f"e{i}", 3 + i)) for i in range(3)]
    for data in (None, {"current": cur, "earlier": []}, {"current": cur, "earlier": earlier}):
        for key, _label, _log in rp.PANELS:
            panel = rp.comparison(data, key)
            assert [type(e).__name__ for e in panel] == ["Contours", "Contours", "Points",
                                                             "Labels"]
    loss, knn = (rp.comparison({"current": cur, "earlier": earlier}, key)
                 for key in ("val_loss", "knn_accuracy"))
    paths = loss.get(0).split()[1:]  # after the invisible empty path
    assert [p.dimension_values("run")[0] for p in paths] == ["e0", "e1", "e2"]
    assert [p.dimension_values("slot")[0] for p in paths] == [0, 1, 2]
    (current,) = loss.get(1).split()[1:]
    assert current.dimension_values("slot")[0] == rp.CURRENT_SLOT
    np.testing.assert_allclose(current.dimension_values("value"), cur["val_loss"])
    np.testing.assert_allclose(knn.get(1).split()[1].dimension_values("value"),
                               cur["knn_accuracy"])
    assert sorted(loss.get(3).dimension_values("run")) == ["", "cur", "e0", "e1", "e2"]


def test_comparison_updates_in_bokeh_with_mapped_colours(tiny_configs):
    # one plot through a sequence of frames, as the page's DynamicMap gets them
    from bokeh.models import GlyphRenderer, MultiLine
    hv.extension("bokeh")
    cfg = tiny_configs()
    curves = lambda rid, n: rp.run_curves(_record(cfg, rid, n))  # noqa: E731
    from bokeh.plotting import figure
    pipe = hv.streams.Pipe(data=None)
    plot = hv.renderer("bokeh").get_plot(hv.DynamicMap(rp.comparison, streams=[pipe]))
    fig = plot.state
    for data in ({"current": curves("a", 1), "earlier": []},
                 {"current": curves("b", 1), "earlier": [curves("a", 3)]},
                 {"current": curves("b", 2), "earlier": [curves("a", 3), curves("c", 4)]},
                 {"current": None, "earlier": []},
                 {"current": curves("d", 2), "earlier": [curves("a", 3)]}):
        pipe.send(data)
        drawn = [r.glyph for r in fig.select({"type": GlyphRenderer})
                 if isinstance(r.glyph, MultiLine) and any(r.data_source.data["run"])]
        # colours come from the palette, never a lone number taken as a colour
        assert len(drawn) == bool(data["current"]) + bool(data["earlier"])  # one panel
        assert all(type(g.line_color).__name__ == "Field" for g in drawn), drawn
        if data["earlier"]:  # the axes follow the data (epochs 1..3 or more)
            assert isinstance(fig, figure) and fig.x_range.end >= 3, fig.x_range


def test_a_one_epoch_run_is_a_visible_marker_in_the_comparison(tiny_configs):
    """Issue 22 item 12: a run of one epoch was a path of one point (nothing drawn)."""
    from bokeh.models import GlyphRenderer, Scatter
    cur = rp.run_curves(_record(tiny_configs(), "one", 1))
    fig = hv.render(rp.comparison({"current": cur, "earlier": []}, "val_loss"), backend="bokeh")
    points = [(x, y) for r in fig.select({"type": GlyphRenderer}) if isinstance(r.glyph, Scatter)
              for x, y in zip(r.data_source.data[r.glyph.x], r.data_source.data[r.glyph.y])
              if np.isfinite(y)]
    assert points == [(1.0, cur["val_loss"][0])]


@pytest.fixture
def ctrl(tiny_configs):
    c = Controller(*tiny_configs(), registry=RunRegistry(max_runs=1))
    yield c
    c.shutdown()


def _add(ctrl, rec):
    ctrl.runs.add(rec)
    ctrl.state.run_id = rec.run_id
    ctrl.state.param.trigger("runs_changed")


def test_view_follows_the_history_and_ticks_runs_as_they_become_earlier(ctrl, tiny_configs):
    cfg = tiny_configs()
    view = RunsView(ctrl)
    sent = []
    view.pipe.add_subscriber(lambda data: sent.append(data))
    _add(ctrl, _record(cfg, "aaa", 2))
    assert "data-run-id='aaa'" in view.table.object and view.choice.options == {}
    assert view.pipe.data["current"]["run_id"] == "aaa" and view.pipe.data["earlier"] == []
    _add(ctrl, _record(cfg, "bbb", 0, status=ev.RUNNING, latent_dim=3))
    assert view.overlay == ["aaa"]  # the run that just became earlier is overlaid
    assert list(view.choice.options.values()) == ["aaa"]
    assert [r["run_id"] for r in view.pipe.data["earlier"]] == ["aaa"]
    assert "tsvae-diff" in view.table.object
    # throttled: an event that changes nothing sends nothing
    n = len(sent)
    ctrl.state.param.trigger("runs_changed")
    assert len(sent) == n
    # an epoch of the current run: one new frame
    ctrl.runs.get("bbb").history.append({"epoch": 1, "loss": 0.9, "val_loss": 1.0,
                                         "knn_accuracy": 0.5})
    ctrl.state.param.trigger("runs_changed")
    assert len(sent) == n + 1 and len(view.pipe.data["current"]["epoch"]) == 1
    # unticking removes the overlay
    view.choice.value = []
    assert view.pipe.data["earlier"] == [] and len(sent) == n + 2
    # a run removed from the history (never trained) leaves the choice
    ctrl.runs.remove("aaa")
    ctrl.state.param.trigger("runs_changed")
    assert view.choice.options == {} and "aaa" not in view.table.object


def test_view_is_a_panel(ctrl):
    import panel as pn
    assert isinstance(pn.panel(RunsView(ctrl)), pn.viewable.Viewable)
