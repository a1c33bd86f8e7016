"""The Sweep card's views in a real browser at the page's 1500 px width: a live 4-trial
sweep of one-epoch trials draws its parameter importance and parallel coordinates (real
values, colour bar, best trial), the form's boxes are on-screen, choosing a trial leaves
the Save card consistent; the same study opened again in a new tab (a loaded study)
draws its importance too. Screenshots go to test-output/."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("optuna")

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"  # as conftest.py's

STUDY = "views"
QUERY = "epochs=1&architecture=dense_vae"

# What the Sweep card's plots drew, from the browser's Bokeh document: the importance
# bars, the parallel coordinates' tick labels, layers and colour bar, the objective
# plot's legend place, and glyph sources of one point (a one-epoch curve).
VIEWS_JS = """() => {
  const out = {bars: [], ticks: [], best: [], pruned: 0, finished: [], colorbars: 0,
               legend_inside: 0, legend_beside: 0};
  for (const m of Bokeh.documents[0].all_models) {
    const d = m.data;
    if (d && typeof d === 'object') {
      if ('field' in d && 'importance' in d)
        out.bars.push(...Array.from(d.field).map((f, i) => [f, d.importance[i]]));
      if ('tick' in d) out.ticks.push(...Array.from(d.tick).map(String));
      if ('xs' in d && 'state' in d && 'trial' in d) {
        const states = Array.from(d.state), trials = Array.from(d.trial);
        if ('color' in d) out.finished.push(...trials);
        else if (states.includes('pruned')) out.pruned += trials.length;
        else out.best.push(...trials.filter((t, i) => states[i] === 'complete'));
      }
    }
    if (m.type === 'ColorBar') out.colorbars += 1;
    // the objective plot: its points' sources have trial and objective, and no lines
    const objective = Array.isArray(m.center) && Array.isArray(m.right)
      && Array.isArray(m.renderers) && m.renderers.some(r => {
      const s = r.data_source && r.data_source.data;
      return s && 'trial' in s && 'objective' in s && !('xs' in s);
    });
    if (objective && m.center.some(x => x.type === 'Legend')) out.legend_inside++;
    if (objective && m.right.some(x => x.type === 'Legend')) out.legend_beside++;
  }
  return out;
}"""


def views(page) -> dict:
    return page.evaluate(VIEWS_JS)


def _box(page, css: str, label: str):
    return page.locator(f"{css} .bk-input-group", has_text=label).first


def test_a_live_and_a_loaded_study_draw_importance_and_parallel_coordinates(new_page, ui):
    page = new_page(QUERY)
    ui.open_card(page, "Sweep")  # folded: built on its first open
    card = page.locator(".tsvae-sweep")
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(OUTPUT / "sweep-views-form.png"))
    # 1500 px: every box of the ranges is on-screen; latent_dim linear as on the CLI
    width = page.viewport_size["width"]
    for field in ("learning_rate", "latent_dim"):
        ranges = page.locator(f".tsvae-sweep-range-{field}")
        for label in ("Low", "High"):
            box = _box(page, f".tsvae-sweep-range-{field}", label).locator("input").bounding_box()
            assert box and 0 <= box["x"] and box["x"] + box["width"] <= width, (field, label, box)
        log = ranges.locator(".bk-Checkbox", has_text="Log")
        lb = log.bounding_box()
        assert lb and lb["x"] + lb["width"] <= width, (field, lb)
        assert log.locator("input").is_checked() == (field == "learning_rate"), field
    latent_ends = [_box(page, ".tsvae-sweep-range-latent_dim", label).locator(
        "input").input_value() for label in ("Low", "High")]
    ui.set_input(page, "Study", STUDY)
    ui.set_input(page, "N trials", 4)
    page.locator(".tsvae-sweep-start button").click()
    status = page.locator(".tsvae-sweep-status")
    ui.wait_until(lambda: "finished: 4 of 4 trials" in status.inner_text(), 300,
                  "the sweep to finish")
    # the live study: importance bars for both fields, once 4 trials finished
    # (the page may draw the trials' last frames a poll after the status)
    complete = lambda v: v if len(v["bars"]) == 2 and len(set(v["finished"])) == 4 else None
    drawn = ui.wait_until(lambda: complete(views(page)), ui.WAIT_S,
                          "the importance bars and 4 finished lines")
    card.screenshot(path=str(OUTPUT / "sweep-views-live.png"))
    assert not page.tsvae_errors, page.tsvae_errors
    assert sorted(f for f, _ in drawn["bars"]) == ["latent_dim", "learning_rate"]
    assert sum(v for _, v in drawn["bars"]) == pytest.approx(1.0, abs=1e-6)
    assert "fANOVA" in page.locator(".tsvae-sweep-importance-note").inner_text()
    # parallel coordinates: real values on the axes (the log axis' ends, whole numbers),
    # a colour bar, the best trial on its own layer; the legend beside the objective plot
    assert {"0.00075", "0.012"} <= set(drawn["ticks"]), drawn["ticks"]  # 3e-3 / 4, * 4
    assert set(latent_ends) <= set(drawn["ticks"]), (latent_ends, drawn["ticks"])
    assert drawn["colorbars"] >= 1 and len(set(drawn["finished"])) == 4
    assert len(set(drawn["best"])) == 1 and drawn["best"][0] in drawn["finished"]
    assert drawn["legend_inside"] == 0 and drawn["legend_beside"] >= 1
    assert not [e for e in page.tsvae_errors if "TypeError" in e], page.tsvae_errors
    # the best trial of the table is the one drawn on top
    values = page.locator(".tsvae-sweep-table .tabulator-row").evaluate_all(
        """rows => rows.map(r => [Number(r.querySelector('[tabulator-field="trial"]').textContent),
                                  Number(r.querySelector('[tabulator-field="objective"]').textContent)])""")
    assert drawn["best"][0] == min(values, key=lambda tv: tv[1])[0], values

    # choosing a trial loads its model: the Save card must not say there is no epoch
    # while the model download is enabled
    page.locator(".tsvae-sweep-table .tabulator-row").nth(0).locator(
        '[tabulator-field="trial"]').click()
    ui.open_card(page, "Save, load and download")  # folded: built on its first open
    model = page.locator(".tsvae-download-model button")
    reason = page.locator(".tsvae-download-reason-text")
    # the card follows the load: the model enabled and the reason naming the loaded trial
    ui.wait_until(lambda: model.is_enabled() and "trial 0 of views" in reason.inner_text(),
                  ui.WAIT_S, "the trial's model to load and the Save card to say so")
    reason.scroll_into_view_if_needed()
    page.screenshot(path=str(OUTPUT / "sweep-views-save-card.png"))
    text = reason.inner_text()
    assert "no finished epoch" not in text and "Model (.keras)" not in text, text
    # the history comes only from epochs trained here; the loaded weights' latent points
    # are drawn (the card, built on its first open, shows them) and can be downloaded
    assert "Loss history (CSV): no epoch trained in this tab yet" in text, text
    assert "Latent points" not in text and page.locator(
        ".tsvae-download-latent button").is_enabled(), text

    # the same study in a new tab: Start with its name opens it (nothing left to train)
    other = new_page(QUERY)
    ui.open_card(other, "Sweep")
    other.locator(".tsvae-sweep").scroll_into_view_if_needed()
    ui.set_input(other, "Study", STUDY)
    ui.set_input(other, "N trials", 4)
    other.locator(".tsvae-sweep-start button").click()
    ui.wait_until(lambda: "finished: 4 of 4 trials" in other.locator(
        ".tsvae-sweep-status").inner_text(), ui.WAIT_S, "the stored study to open")
    loaded = ui.wait_until(lambda: complete(views(other)), ui.WAIT_S,
                           "the loaded study's importance bars and lines")
    assert sorted(loaded["bars"]) == sorted(drawn["bars"])
    assert set(loaded["best"]) == set(drawn["best"]) and loaded["colorbars"] >= 1
    other.locator(".tsvae-sweep").screenshot(path=str(OUTPUT / "sweep-views-loaded.png"))
