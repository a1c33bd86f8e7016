"""A page slow to render its document still gets every plot the server made meanwhile.

Panel (1.9) drops the page updates of a batch that ends before the page has reported
it is ready (it expects the page to pull the whole document later, but the page pulled
it already): a plot re-made from the data preview in that window never reached the page,
and every later update of it failed with "reference pNNN isn't known" (seen on a busy
server as a reconstruction or latent plot that stayed empty). The browser's CPU is
slowed here so that the window is wide: the server must wait for the page.
"""
from __future__ import annotations

# slow enough that the page renders its document for seconds after pulling it
CPU_SLOWDOWN = 12


def _slow_cpu(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    page.tsvae_cdp = cdp


def test_plots_made_while_the_page_renders_reach_it(new_page, ui):
    # the product's default model, as when the bug was seen (the suite's default is smaller)
    page = new_page("architecture=conv_attention_gru", on_page=_slow_cpu)
    ui.open_card(page, "Generated data")  # folded: built when opened, on the slow page
    ui.wait_until(lambda: all(ui.preview_rows(page)), ui.WAIT_S, "the data preview")
    page.tsvae_cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    ui.click(page, "start")
    ui.wait_until(lambda: ui.status(page)["epoch"] >= 1, ui.TRAIN_WAIT_S, "epoch 1")
    ui.wait_until(lambda: len(ui.latent(page)[0]) > 0, ui.WAIT_S, "latent points")
    unknown = [e for e in page.tsvae_errors if "isn't known" in e]
    assert unknown == [], f"the page refused patches: {unknown[:3]}"
