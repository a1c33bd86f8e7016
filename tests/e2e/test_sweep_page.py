"""The Sweep card in a real browser: a 3-trial sweep shows its table and plots, and
clicking a trial puts its settings into the sidebar (see conftest.py)."""
from __future__ import annotations

import pytest

pytest.importorskip("optuna")

# The objective plot's and the parallel coordinates' Bokeh sources, by their columns.
PLOTTED_JS = """() => {
  let points = 0, lines = 0;
  for (const m of Bokeh.documents[0].all_models) {
    const d = m.data;
    if (!d || typeof d !== 'object') continue;
    if ('trial' in d && 'objective' in d)
      points += Array.from(d.objective).filter(v => Number.isFinite(v)).length;
    if ('xs' in d && 'objective' in d) lines += d.xs.length;
  }
  return [points, lines];
}"""


def table_rows(page) -> list[dict]:
    return page.locator(".tsvae-sweep-table .tabulator-row").evaluate_all("""rows => rows.map(r => {
        const cell = f => (r.querySelector(`[tabulator-field="${f}"]`) || {}).textContent;
        return {trial: cell('trial'), state: cell('state'), latent_dim: cell('latent_dim')};
    })""")


def test_a_three_trial_sweep_shows_its_table_and_plots_and_a_click_fills_the_widgets(
        new_page, ui):
    page = new_page("epochs=2&architecture=dense_vae")
    ui.open_card(page, "Sweep")
    card = page.locator(".tsvae-sweep")
    card.scroll_into_view_if_needed()
    ui.set_input(page, "N trials", 3)
    page.locator(".tsvae-sweep-start button").click()
    status = page.locator(".tsvae-sweep-status")
    ui.wait_until(lambda: "finished: 3 of 3 trials" in status.inner_text(), 240,
                  "the sweep to finish")
    # rendered cells with an ended state (Tabulator may draw a row before its cells)
    ended = lambda r: r if len(r) == 3 and all(
        x["state"] in ("complete", "pruned", "failed") for x in r) else None
    rows = ui.wait_until(lambda: ended(table_rows(page)), ui.WAIT_S,
                         "three ended trials in the table")
    assert [r["trial"] for r in rows] == ["0", "1", "2"]
    assert all(r["state"] in ("complete", "pruned") for r in rows), rows
    points, lines = ui.wait_until(lambda: (lambda p: p if p[0] >= 2 and p[1] >= 2 else None)(
        page.evaluate(PLOTTED_JS)), ui.WAIT_S, "the objective and parallel plots")
    assert points >= 3 and lines >= 2
    assert "needs 4 finished trials" in page.locator(
        ".tsvae-sweep-importance-note").inner_text()
    # a click on a trial puts its latent_dim into the sidebar's box
    wanted = rows[1]["latent_dim"]
    page.locator(".tsvae-sweep-table .tabulator-row").nth(1).locator(
        '[tabulator-field="trial"]').click()
    box = page.locator(".bk-input-group", has_text="Latent dim").locator("input").first
    ui.wait_until(lambda: box.input_value() == wanted, ui.WAIT_S,
                  f"latent_dim {wanted} in the sidebar")
