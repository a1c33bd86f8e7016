"""Plot functions: given arrays in, elements with exactly that data out."""
from __future__ import annotations

import holoviews as hv
import numpy as np
import pytest
from bokeh.document import Document
from bokeh.document.events import ColumnDataChangedEvent, ColumnsStreamedEvent

from app.tab import history
from app.plots import training as plots
from app.tab import projection


def _history(n):
    rows = [history.history_row(e, {k: 10.0 / e + i for i, k in enumerate(history.LOSS_KEYS)},
                              0.1 * e, -0.05 * e) for e in range(1, n + 1)]
    import pandas as pd
    return pd.concat(rows, ignore_index=True)


def test_history_row_fills_missing_logs_with_nan():
    row = history.history_row(3, {"loss": 1.5}, 0.7, float("nan"))
    assert list(row.columns) == list(history.history_columns())
    assert row["epoch"][0] == 3 and row["loss"][0] == 1.5 and row["knn_accuracy"][0] == 0.7
    assert np.isnan(row["val_kl_loss"][0]) and np.isnan(row["silhouette"][0])


def test_loss_curves_wrap_the_table_itself():
    data = _history(4)
    overlay = plots.loss_curves(data, logy=True)
    assert len(list(overlay)) == 12  # a line and its epochs' markers per quantity
    # the very same DataFrame: the condition for HoloViews to stream only new rows
    assert all(c.data is data for c in overlay)
    curves = [c for c in overlay if isinstance(c, hv.Curve)]
    assert [c.vdims[0].name for c in curves] == [
        "loss", "val_loss", "reconstruction_loss", "val_reconstruction_loss", "kl_loss",
        "val_kl_loss"]
    np.testing.assert_allclose(curves[0].dimension_values("loss"), 10.0 / np.arange(1, 5))
    opts = hv.Store.lookup_options("bokeh", overlay, "plot").kwargs
    assert opts["logy"] is True
    assert "epoch 4" in opts["title"] and "train 2.5" in opts["title"]


def test_quality_curves_hold_knn_and_silhouette():
    data = _history(3)
    knn, sil = [c for c in plots.quality_curves(data) if isinstance(c, hv.Curve)]
    np.testing.assert_allclose(knn.dimension_values("knn_accuracy"), [0.1, 0.2, 0.3])
    np.testing.assert_allclose(sil.dimension_values("silhouette"), [-0.05, -0.1, -0.15])


def test_loss_buffer_streams_only_new_rows_to_bokeh():
    """Through a DynamicMap on a Buffer, a new epoch travels as a stream patch of one row,
    not as a replacement of the whole column data."""
    buf = hv.streams.Buffer(history.empty_history(), length=1000, index=False)
    dmap = hv.DynamicMap(lambda data: plots.loss_curves(data), streams=[buf])
    doc = Document()
    plot = hv.renderer("bokeh").get_plot(dmap, doc=doc)
    doc.add_root(plot.state)
    buf.send(_history(1))
    seen = []
    doc.on_change(lambda event: seen.append(event))
    buf.send(_history(2).iloc[1:])
    streamed = [e for e in seen if isinstance(e, ColumnsStreamedEvent)]
    assert len(streamed) == 12  # one per curve and one per curve's markers
    assert all(len(e.data["epoch"]) == 1 and e.data["epoch"][0] == 2 for e in streamed)
    assert not [e for e in seen if isinstance(e, ColumnDataChangedEvent)]


def test_project_latent_passes_two_dims_through():
    z = np.random.default_rng(0).normal(size=(20, 2))
    xy, comps = projection.project_latent(z)
    np.testing.assert_array_equal(xy, z)
    assert comps is None


def test_project_latent_pca_finds_the_main_axes_and_keeps_their_sign():
    rng = np.random.default_rng(1)
    # variance mostly along dim 2, then dim 0; dim 1 is nearly constant
    z = np.column_stack([rng.normal(0, 3, 200), rng.normal(0, 0.01, 200), rng.normal(5, 10, 200)])
    xy, comps = projection.project_latent(z)
    assert xy.shape == (200, 2) and comps.shape == (2, 3)
    assert abs(comps[0][2]) > 0.99 and abs(comps[1][0]) > 0.99
    np.testing.assert_allclose(xy.mean(axis=0), 0, atol=1e-9)
    assert xy[:, 0].var() > xy[:, 1].var()
    # with the previous epoch's axes pointing the other way, both axes follow them
    xy2, comps2 = projection.project_latent(z, previous=-comps)
    np.testing.assert_allclose(comps2, -comps)
    np.testing.assert_allclose(xy2, -xy)
    # and a slightly moved cloud keeps the orientation of the previous epoch
    xy3, comps3 = projection.project_latent(z + rng.normal(0, 0.01, z.shape), previous=comps)
    assert np.all(np.sum(comps3 * comps, axis=1) > 0.99)


def test_projection_note_only_for_more_than_two_dims():
    assert projection.projection_note(2) == ""
    assert projection.projection_note(5).startswith("PCA projection of 5-D z_mean")


def test_latent_scatter_colours_noise_red_and_keeps_the_subset_order():
    xy = np.arange(12, dtype=float).reshape(6, 2)
    labels = np.array([0, -1, 1, 2, -1, 0])
    points = plots.latent_scatter(xy, labels, note="PCA projection of 3-D z_mean")
    np.testing.assert_array_equal(points.dimension_values(plots.LATENT_X), xy[:, 0])
    colors = points.dimension_values("color")
    assert list(colors[[1, 4]]) == [plots.NOISE_COLOR] * 2
    assert colors[0] == colors[5] != colors[2] and plots.NOISE_COLOR not in colors[[0, 2, 3, 5]]
    assert points.kdims[0].label == "PC1"
    tools = hv.Store.lookup_options("bokeh", points, "plot").kwargs["tools"]
    assert {"tap", "box_select", "lasso_select"} <= set(tools)


def test_project_with_and_unproject_invert_each_other_on_the_plane():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(50, 4))
    xy, comps = projection.project_latent(z)
    center = z.mean(axis=0)
    np.testing.assert_allclose(projection.project_with(z, center, comps), xy)
    back = projection.unproject(xy[:3], center, comps, 4)
    np.testing.assert_allclose(projection.project_with(back, center, comps), xy[:3], atol=1e-12)
    np.testing.assert_allclose(projection.unproject([[0.5, -1.0]], None, None, 2), [[0.5, -1.0]])
    np.testing.assert_allclose(projection.project_with([[2.0]], None, None), [[2.0, 0.0]])


def test_recon_channel_holds_input_and_output():
    inp, out = np.linspace(0, 1, 16), np.linspace(1, 0, 16)
    overlay = plots.recon_channel(inp, out, "time")
    a, b = list(overlay)
    np.testing.assert_allclose(a.dimension_values("value"), inp)
    np.testing.assert_allclose(b.dimension_values("value"), out)
    assert hv.Store.lookup_options("bokeh", overlay, "plot").kwargs["title"] == "time"


def test_previews_show_series_stretch_and_first_occurrence_of_a_pattern():
    series = np.arange(40, dtype=float).reshape(20, 2) / 40
    labels = np.array([0] * 4 + [1] * 4 + [0] * 4 + [1] * 4 + [-1] * 4)
    stretch = plots.series_preview(series, ["ch0", "time"], n_rows=8)
    assert len(stretch) == 2 and all(len(c) == 8 for c in stretch)
    pattern = plots.pattern_preview(series, labels, ["ch0", "time"], pattern=1, seq_len=4)
    first = list(pattern)[0]
    np.testing.assert_allclose(first.dimension_values("pattern_value"), series[4:8, 0])


@pytest.mark.parametrize("bad", [np.zeros(5), np.zeros((2, 2, 2))])
def test_project_latent_rejects_wrong_shapes(bad):
    with pytest.raises(ValueError, match="latent_dim"):
        projection.project_latent(bad)


@pytest.mark.parametrize("z", [np.ones((1, 4)), np.array([[0.0, 1.0, np.nan], [1.0, 2.0, 3.0]])])
def test_project_latent_copes_with_one_point_or_non_finite_values(z):
    xy, comps = projection.project_latent(z)
    assert xy.shape == (len(z), 2) and np.isfinite(xy).all() and comps.shape == (2, z.shape[1])


def test_the_loss_legend_sits_beside_the_plot_not_on_the_curves():
    from bokeh.models import Legend
    fig = hv.render(plots.loss_curves(_history(3)), backend="bokeh")
    assert not [m for m in fig.center if isinstance(m, Legend)]   # not inside the frame
    (legend,) = [m for m in fig.right if isinstance(m, Legend)]
    assert legend.label_text_font_size == "8pt" and len(legend.items) == 6


def test_the_latent_legend_names_each_colour_once_with_its_patterns():
    labels = np.concatenate([np.arange(30), np.arange(30), [-1, -1]])
    text = plots.latent_legend(labels)
    assert text.count("&#9679;") == len(plots.PATTERN_PALETTE) + 1   # 12 colours + noise
    first = text.index(plots.PATTERN_PALETTE[0])
    assert text[first:].split("</span>&nbsp;")[1].startswith("0, 12, 24")
    assert plots.NOISE_COLOR in text and text.rstrip("</div>").endswith("noise")
    assert "noise" not in plots.latent_legend(np.array([0, 1, 2]))
    assert plots.latent_legend(np.array([], dtype=int)) == ""


def test_the_latent_view_shows_the_legend_of_the_points_it_draws(tiny_configs):
    import panel as pn

    from app.tab.controller import Controller
    from app.server.runs import RunRegistry
    from app.cards.training import LatentView
    ctrl = Controller(*tiny_configs(), registry=RunRegistry(max_runs=1))
    layout = LatentView(ctrl).__panel__()
    (pane,) = [p for p in layout.select(pn.pane.HTML) if "tsvae-latent-legend" in p.css_classes]
    assert pane.object == ""
    ctrl.streams.latent_pipe.send(dict(xy=np.zeros((3, 2)), labels=np.array([0, 2, -1]), note="",
                               epoch=1, name="z_mean"))
    assert "0" in pane.object and "noise" in pane.object and plots.PATTERN_PALETTE[2] in pane.object
    ctrl.shutdown()


def _visible_points(element) -> int:
    """Finite (x, y) points drawn by marker glyphs in ``element``'s Bokeh figure: a line
    through one point draws nothing, a marker does."""
    from bokeh.models import GlyphRenderer, Scatter
    fig = hv.render(element, backend="bokeh")
    n = 0
    for r in fig.select({"type": GlyphRenderer}):
        if isinstance(r.glyph, Scatter) and r.visible:
            data = r.data_source.data
            x, y = np.asarray(data[r.glyph.x], float), np.asarray(data[r.glyph.y], float)
            n += int(np.sum(np.isfinite(x) & np.isfinite(y)))
    return n


def test_a_one_epoch_run_draws_a_marker_in_every_per_epoch_plot():
    """Issue 22 item 12: with one epoch the per-epoch plots were empty (lines only)."""
    from app.plots import anomaly, family
    from tsvae_core.anomaly.metrics import METRIC_NAMES
    import pandas as pd
    one = _history(1)
    assert _visible_points(plots.loss_curves(one)) == 6      # train and val: total, recon, KL
    assert _visible_points(plots.quality_curves(one)) == 2   # k-NN accuracy, silhouette
    fam = one.assign(contractive_penalty=0.5, val_contractive_penalty=0.4)
    assert _visible_points(family.family_curves(fam, ("contractive_penalty",))) == 2
    metrics = pd.DataFrame({"epoch": [1], **{k: [0.5] for k in METRIC_NAMES}})
    assert _visible_points(anomaly.metric_curves(metrics)) == len(METRIC_NAMES)
