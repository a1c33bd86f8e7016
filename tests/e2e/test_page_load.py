"""A new tab while the server is busy, and cards opened late (app.cards.lazy): the page's
folded cards are built on their first open and must then show the run as it is."""
from __future__ import annotations

import pytest

from tsvae_core import families

from conftest import close_pages, open_app_page, start_server, stop_server  # noqa: E402

BUSY_RUNS = 4
KL = families.views()["kl_per_dim"].column  # the Bokeh column of dense_vae's own view
# A Bokeh canvas of non-zero size: a plot drawn (the views live in shadow roots).
PLOT_DRAWN_JS = """() => {
  const stack = [document];
  while (stack.length) {
    const root = stack.pop();
    for (const c of root.querySelectorAll('canvas')) {
      const r = c.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) return true;
    }
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) stack.push(el.shadowRoot);
  }
  return false;
}"""
# Rows of every Bokeh data source column, finite numbers only.
COLUMNS_JS = """() => {
  const rows = {};
  for (const m of Bokeh.documents[0].all_models) {
    const d = m.data;
    if (d && typeof d === 'object' && !Array.isArray(d))
      for (const [k, v] of Object.entries(d))
        if (v && typeof v.length === 'number')
          rows[k] = Math.max(rows[k] || 0, Array.from(v).filter(Number.isFinite).length);
  }
  return rows;
}"""


def _runs_table(page) -> list[dict]:
    return page.locator(".tsvae-runs-table tbody tr").evaluate_all(
        "trs => trs.map(tr => ({id: tr.dataset.runId, status: tr.dataset.status, "
        "epochs: +tr.dataset.epochs}))")


def test_cards_opened_after_training_show_the_runs_latest_state(new_page, ui):
    page = new_page()
    ui.click(page, "start")
    ui.wait_until(lambda: ui.status(page)["epoch"] >= 2, ui.TRAIN_WAIT_S, "epoch 2")
    ui.click(page, "stop")
    ui.wait_until(lambda: ui.status(page)["status"] == "stopped", ui.WAIT_S, "stopped")
    epochs = ui.status(page)["epoch"]
    assert page.locator(".tsvae-runs-table").count() == 0  # folded: not built yet

    ui.open_card(page, "Runs")
    table = ui.wait_until(lambda: _runs_table(page), ui.WAIT_S, "the run table")
    assert len(table) == 1 and table[0]["status"] == "stopped" and table[0]["epochs"] == epochs
    ui.open_card(page, "Save, load and download")
    latent = page.locator(".tsvae-download-latent button, .tsvae-download-latent a").first
    ui.wait_until(latent.is_enabled, ui.WAIT_S, "the latent points' download enabled")
    ui.open_card(page, "What this family adds")  # dense_vae: KL per dimension
    ui.wait_until(lambda: page.evaluate(COLUMNS_JS).get(KL, 0) > 0, ui.WAIT_S,
                  "the family's KL view drawn with the run's data")
    ui.open_card(page, "Generated data")
    ui.wait_until(lambda: all(ui.preview_rows(page)), ui.WAIT_S, "the data preview")


@pytest.fixture(scope="module")
def busy_server():
    """A server that takes BUSY_RUNS runs at once (the suite's server takes two)."""
    srv = start_server(max_runs=BUSY_RUNS, name="-busy")
    yield srv
    stop_server(srv)


def test_a_tab_opened_while_four_runs_train_loads(browser, busy_server, ui):
    contexts = []
    try:
        runners = [open_app_page(browser, busy_server, contexts) for _ in range(BUSY_RUNS)]
        for page in runners:
            ui.click(page, "start")
        for page in runners:
            ui.wait_until(lambda p=page: ui.status(p)["epoch"] >= 1, ui.TRAIN_WAIT_S,
                          "each of the four runs training")
        assert busy_server.sessions()["active"] == BUSY_RUNS

        page = open_app_page(browser, busy_server, contexts)
        start = page.locator(".tsvae-start button")
        start.wait_for(state="visible")  # Playwright's generous bound (PAGE_TIMEOUT_MS)
        ui.wait_until(start.is_enabled, ui.WAIT_S, "Start enabled")
        ui.wait_until(lambda: page.evaluate(PLOT_DRAWN_JS), ui.WAIT_S, "a plot drawn")
        for card in ("reconstruction", "latent-quality"):  # open: filled once the page loaded
            page.locator(f".tsvae-card-{card} .tsvae-deferred").wait_for(state="detached")
        assert ui.status(page)["status"] == "idle"
        # the four runs went on meanwhile
        assert all(ui.status(p)["status"] == "running" for p in runners)
    finally:
        close_pages(contexts)


# The text colour of every widget label and Markdown paragraph inside one element (shadow
# roots included; alerts have their own background), as [r, g, b] lists.
TEXT_COLOURS_JS = """el => {
  const stack = [el, el.shadowRoot].filter(Boolean), out = [];
  while (stack.length) {
    const root = stack.pop();
    for (const t of root.querySelectorAll('label, p')) {
      if (!t.textContent.trim() || t.closest('.alert')) continue;  // alerts: own colours
      const m = getComputedStyle(t).color.match(/[0-9.]+/g);
      if (m) out.push(m.slice(0, 3).map(Number));
    }
    for (const e of root.querySelectorAll('*')) if (e.shadowRoot) stack.push(e.shadowRoot);
  }
  return out;
}"""


def test_a_card_built_on_its_first_open_is_drawn_in_the_pages_dark_theme(new_page, ui):
    """Cards built on their first open got Panel's light theme (dark text on the dark
    page: the Probes card's field names and the Save card's notes could not be read)."""
    page = new_page()
    for title, css in (("Probes", "tsvae-card-probes"),
                       ("Save, load and download", "tsvae-card-save-load-and-download")):
        ui.open_card(page, title)
        colours = ui.wait_until(
            lambda: page.locator(f".{css}").first.evaluate(TEXT_COLOURS_JS), ui.WAIT_S,
            f"the {title} card's text")
        # light text: each channel well above the page's dark background (~30)
        dark = [c for c in colours if sum(c) / 3 < 128]
        assert not dark, (title, dark, len(colours))
