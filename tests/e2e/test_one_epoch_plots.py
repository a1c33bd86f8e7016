"""A run of one epoch in a real browser: every per-epoch plot draws a marker for it
(issue 22 item 12: lines alone drew nothing for one epoch). See conftest.py."""
from __future__ import annotations

# Finite points of the marker glyphs drawn in the page, by the column they plot.
MARKERS_JS = """() => {
  const out = {};
  for (const m of Bokeh.documents[0].all_models) {
    if (m.type !== 'GlyphRenderer' || !m.glyph || m.glyph.type !== 'Scatter' || !m.visible) continue;
    const y = m.glyph.y && m.glyph.y.field, d = m.data_source.data;
    if (y && d && y in d) out[y] = (out[y] || 0) + Array.from(d[y]).filter(Number.isFinite).length;
  }
  return out;
}"""


def test_a_one_epoch_run_draws_a_marker_in_the_loss_and_run_plots(new_page, ui):
    page = new_page("epochs=1&architecture=dense_vae")
    ui.click(page, "start")
    ui.wait_until(lambda: ui.status(page)["status"] == "finished", ui.TRAIN_WAIT_S,
                  "the one-epoch run to finish")
    ui.open_card(page, "Runs")
    wanted = ("loss", "val_loss", "reconstruction_loss", "knn_accuracy", "value")

    def drawn():
        found = page.evaluate(MARKERS_JS)
        return found if all(found.get(k, 0) >= 1 for k in wanted) else None
    try:
        found = ui.wait_until(drawn, ui.WAIT_S, "a marker in each per-epoch plot")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; markers: {page.evaluate(MARKERS_JS)}") from None
    assert found["loss"] == 1 and found["val_loss"] == 1  # the one epoch, once
