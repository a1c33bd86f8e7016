"""Inspecting the latent plot and the probes in a real browser (see conftest.py).

Clicks go to screen pixels computed from data coordinates by the plot's own Bokeh view
(``frame.x_scale``), so a tap lands exactly on a chosen latent point.
"""
from __future__ import annotations

import math

from conftest import OUTPUT  # noqa: E402  (tests/e2e is on sys.path)

# The latent figure's view: data (x, y) -> page pixels, and its frame's corners.
PIXEL_JS = """([x, y]) => {
  const pv = Bokeh.index.query_one(v => v.frame !== undefined && v.model.renderers &&
    v.model.renderers.some(r => r.data_source && r.data_source.data &&
                                'latent_x' in r.data_source.data));
  pv.canvas_view.el.scrollIntoView({block: 'center'});
  const rect = pv.canvas_view.el.getBoundingClientRect();
  const f = pv.frame;
  return {px: rect.left + f.x_scale.compute(x), py: rect.top + f.y_scale.compute(y),
          frame: [rect.left + f.bbox.left, rect.top + f.bbox.top,
                  rect.left + f.bbox.right, rect.top + f.bbox.bottom]};
}"""
PROBES_JS = """() => {
  for (const m of Bokeh.documents[0].all_models) {
    const d = m.data;
    if (d && typeof d === 'object' && 'probe_x' in d && d.probe_x.length)
      return Array.from(d.probe).map((n, i) => [n, d.probe_x[i], d.probe_y[i]]);
  }
  return [];
}"""
TITLES_JS = """() => Array.from(Bokeh.documents[0].all_models)
  .filter(m => m.type === 'Title' || (m.constructor && m.constructor.name === 'Title'))
  .map(m => m.text)"""


def probes(page) -> dict:
    return {n: (x, y) for n, x, y in page.evaluate(PROBES_JS)}


def titles(page) -> list[str]:
    return page.evaluate(TITLES_JS)


def text(page, css: str) -> str:
    """The paragraphs of a Markdown pane (they live in its shadow root)."""
    return page.locator(css).evaluate(
        "el => Array.from((el.shadowRoot || el).querySelectorAll('p'))"
        ".map(p => p.textContent).join(' ')")


def test_inspect_tap_select_grid_and_probes(new_page, ui, server):
    page = new_page()
    clock = new_page()  # its epochs: the time an epoch in flight gets to arrive (no sleep)
    ui.open_card(page, "Inspect")
    ui.open_card(page, "Probes")
    ui.click(page, "start")
    ui.click(clock, "start")
    ui.wait_until(lambda: ui.status(page)["epoch"] >= 2, ui.TRAIN_WAIT_S, "epoch 2")
    ui.click(page, "pause")
    ui.wait_until(lambda: ui.status(page)["status"] == "paused", ui.WAIT_S, "paused")
    ui.wait_until(lambda: len(probes(page)) == 3, ui.WAIT_S, "probe markers")
    # an epoch that ended as Pause was pressed may still arrive: settled once the page
    # shows the server's epoch and its markers stayed while the other tab trained 2 epochs
    tab = ui.status(page)["tab"]

    def settled():
        before = (ui.status(page), probes(page))
        ui.epochs_pass(clock, 2)
        return (before == (ui.status(page), probes(page))
                and ui.server_run(server.url, tab)["epoch"] == before[0]["epoch"])
    ui.wait_until(settled, 300, "the paused page to settle")
    ui.click(clock, "stop")
    shown = probes(page)
    assert all(math.isfinite(v) for xy in shown.values() for v in xy)

    # the rolled probe moves with the slider; the others stay
    handle = page.locator(".tsvae-roll .noUi-handle")
    handle.focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")  # +0.05 of seq_len each
    moved = ui.wait_until(lambda: probes(page)["rolled"] != shown["rolled"] and probes(page),
                          10, "the rolled probe to move")
    assert moved["new"] == shown["new"] and moved["outlier"] == shown["outlier"]

    # tap a latent point: its window, label and coordinates
    xs, ys = ui.latent(page)
    target = page.evaluate(PIXEL_JS, [xs[0], ys[0]])
    page.mouse.click(target["px"], target["py"])
    ui.wait_until(lambda: "Validation window" in text(page, ".tsvae-picked"), ui.WAIT_S,
                  "the tapped window's description")
    ui.wait_until(lambda: any(t.startswith("Window ") for t in titles(page)), ui.WAIT_S,
                  "the tapped window's plot")

    # tap an empty corner: the spot is decoded
    left, top, right, bottom = target["frame"]
    page.mouse.click(right - 4, top + 4)
    ui.wait_until(lambda: "Decoded" in text(page, ".tsvae-picked"), ui.WAIT_S, "a decoded window")
    ui.wait_until(lambda: any(t.startswith("Decoded from") for t in titles(page)), ui.WAIT_S,
                  "the decoded window's plot")

    # box-select the whole frame: every point counted by label
    page.locator(".bk-tool-icon-box-select").first.click()
    page.mouse.move(left + 2, top + 2)
    page.mouse.down()
    page.mouse.move((left + right) / 2, (top + bottom) / 2, steps=5)
    page.mouse.move(right - 2, bottom - 2, steps=5)
    page.mouse.up()
    ui.wait_until(lambda: f"{len(xs)} windows selected" in text(page, ".tsvae-selected"), ui.WAIT_S,
                  "the selection's counts")

    # the latent grid: 8 x 8 decoded windows
    ui.set_checkbox(page, "latent grid", True)
    ui.wait_until(lambda: any("decoded at 64 points" in t for t in titles(page)), ui.WAIT_S,
                  "the latent grid")
    page.locator(".tsvae-card-inspect").first.scroll_into_view_if_needed()
    page.screenshot(path=str(OUTPUT / "inspect-and-probes.png"))
    ui.click(page, "stop")
