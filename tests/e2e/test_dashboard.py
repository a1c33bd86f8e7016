"""The dashboard in a real browser against a real server (see conftest.py).

State is read from the page: the status line's data-* attributes (DOM) and the Bokeh
document's data sources; never from the server's memory, except where a check is about
the server (the /debug/sessions endpoint: a closed tab's thread, a paused run's epoch).
"""
from __future__ import annotations

from tsvae_core.config import make_configs

from conftest import OUTPUT, OVERRIDES  # noqa: E402  (tests/e2e is on sys.path)


def n_val(**overrides) -> int:
    data, _, _ = make_configs("quick", **{**OVERRIDES, **overrides})
    return data.n_windows() - data.n_train()


def test_preview_then_live_training(new_page, ui, server):
    outside = []
    page = new_page()
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server.url, "data:", "blob:")) else None)
    ui.open_card(page, "Generated data")
    series, pattern = ui.wait_until(lambda: all(ui.preview_rows(page)) and ui.preview_rows(page),
                                    30, "the data preview")
    assert series >= 4 * 16 and pattern >= 16  # every channel's curve has rows
    assert ui.status(page)["status"] == "idle"

    ui.click(page, "start")
    ui.wait_until(lambda: ui.status(page)["epoch"] >= 2, ui.TRAIN_WAIT_S, "epoch 2")
    xs, ys = ui.wait_until(lambda: (lambda p: p if len(p[0]) else None)(ui.latent(page)),
                           10, "latent points")
    assert len(xs) == len(ys) == n_val()
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "dashboard-training.png"), full_page=True)

    # the points move from one epoch to the next
    ui.wait_until(lambda: ui.latent(page) != [xs, ys], ui.WAIT_S, "the latent points to move")
    xs2, _ = ui.latent(page)
    assert len(xs2) == len(xs) and xs2 != xs
    st = ui.status(page)
    assert st["status"] == "running" and st["n-epochs"] == OVERRIDES["epochs"]
    ui.click(page, "stop")
    assert outside == [], f"requests left the server: {outside}"


def test_pause_resume_stop(new_page, ui, server):
    page = new_page()
    # A second tab trains beside this one, the same model on the same server: its epochs
    # are the clock for what must not happen while this one is paused (no fixed sleeps,
    # which a busy machine can outlast).
    clock = new_page()
    ui.click(page, "start")
    ui.click(clock, "start")
    ui.wait_until(lambda: ui.status(page)["epoch"] >= 1, ui.TRAIN_WAIT_S, "epoch 1")
    ui.wait_until(lambda: ui.status(clock)["epoch"] >= 1, ui.TRAIN_WAIT_S, "epoch 1 in the second tab")
    tab = ui.status(page)["tab"]

    ui.click(page, "pause")
    ui.wait_until(lambda: ui.status(page)["status"] == "paused", ui.WAIT_S, "paused")
    # The batch in flight and, after an epoch's last batch, that epoch's end (latent
    # points, probes, snapshot) still report; settled: the page shows the server's epoch
    # and nothing moved while the other tab trained two epochs.
    seen = []

    def settled():
        before = ui.status(page)
        ui.epochs_pass(clock, 2)
        now, run = ui.status(page), ui.server_run(server.url, tab)
        seen[:] = [before, now, run]
        return before if now == before and run["epoch"] == before["epoch"] else None
    try:
        frozen = ui.wait_until(settled, 300, "the paused state to settle")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; page before, page after, server: {seen}; "
                             f"{ui.model_states(page, 'tsvae-status')}") from None
    ui.epochs_pass(clock, 3)
    now = ui.status(page)
    assert (now["epoch"], now["batch"], now["status"]) == (
        frozen["epoch"], frozen["batch"], "paused")
    assert ui.server_run(server.url, tab)["epoch"] == frozen["epoch"]
    ui.wait_until(lambda: page.locator(".tsvae-pause button").inner_text() == "Resume",
                  ui.WAIT_S, "the Pause button to read Resume")

    ui.click(page, "pause")
    ui.wait_until(lambda: ui.status(page)["epoch"] > frozen["epoch"], ui.TRAIN_WAIT_S, "training to resume")

    ui.click(page, "stop")  # how fast: benchmarks/bench_stop.py
    ui.wait_until(lambda: ui.status(page)["status"] == "stopped", ui.WAIT_S, "stopped")
    ui.wait_until(lambda: (lambda r: r if not r["alive"] and r["status"] == "stopped" else None)(
        ui.server_run(server.url, tab)), ui.WAIT_S, "the run's thread to end (server side)")
    ui.wait_until(lambda: page.locator(".tsvae-start button").is_enabled()
                  and page.locator(".tsvae-stop button").is_disabled(), ui.WAIT_S,
                  "Start enabled and Stop disabled after stopping")
    ui.click(clock, "stop")


def test_latent_size_3_with_time_bypass_after_reset(new_page, ui):
    page = new_page()
    ui.click(page, "start")
    ui.wait_until(lambda: ui.status(page)["epoch"] >= 1, ui.TRAIN_WAIT_S, "epoch 1")
    ui.set_input(page, "Latent dim", 3)
    ui.set_checkbox(page, "Time bypass", True)
    pending = page.locator(".tsvae-pending")
    ui.wait_until(lambda: pending.is_visible(), ui.WAIT_S, "the pending notice")
    # the two changes reach the server one after the other
    ui.wait_until(lambda: all(f in pending.get_by_text("Pending").inner_text()
                              for f in ("latent_dim", "time_bypass")), ui.WAIT_S,
                  "latent_dim and time_bypass both pending")

    ui.click(page, "reset")
    ui.wait_until(lambda: ui.status(page)["status"] == "idle" and not pending.is_visible(),
                  10, "reset to idle")
    assert ui.latent(page) == [[], []]
    ui.click(page, "start")
    ui.wait_until(lambda: ui.status(page)["epoch"] >= 1, ui.TRAIN_WAIT_S, "epoch 1 of the new run")
    note = page.get_by_text("PCA projection of 3-D z_mean")
    ui.wait_until(lambda: note.count() > 0 and note.first.is_visible(), ui.WAIT_S, "the projection note")
    assert len(ui.latent(page)[0]) == n_val()


def test_invalid_combination_shows_an_error_and_the_page_recovers(new_page, ui):
    page = new_page("architecture=conv_vae")  # strided: halves the window scale_steps times
    ui.set_input(page, "Seq len", 18)  # 18 is not divisible by 2**scale_steps = 4
    error = page.locator(".tsvae-error")
    ui.wait_until(lambda: error.is_visible(), ui.WAIT_S, "the error message")
    assert "scale_steps" in error.get_by_text("Invalid settings").inner_text()
    ui.wait_until(lambda: page.locator(".tsvae-start button").is_disabled(), ui.WAIT_S, "Start disabled")

    ui.set_input(page, "Seq len", 16)
    ui.wait_until(lambda: not error.is_visible(), ui.WAIT_S, "the error to clear")
    ui.wait_until(lambda: page.locator(".tsvae-start button").is_enabled(), ui.WAIT_S, "Start enabled")
    ui.click(page, "start")
    ui.wait_until(lambda: ui.status(page)["status"] == "running", ui.WAIT_S, "a run to start")


def test_two_tabs_train_apart_and_closing_one_stops_its_thread(new_page, ui, server):
    a, b = new_page("n_patterns=3"), new_page("n_patterns=4")
    ui.click(a, "start")
    ui.click(b, "start")
    for page in (a, b):
        ui.wait_until(lambda: ui.status(page)["epoch"] >= 2, 150, "epoch 2 in both tabs")
    # each page shows its own run's validation subset, not the other's (the plot's update
    # may reach the browser after the status line's)
    for page, n in ((a, n_val(n_patterns=3)), (b, n_val(n_patterns=4))):
        ui.wait_until(lambda: len(ui.latent(page)[0]) == n, ui.WAIT_S, f"{n} latent points")
    assert n_val(n_patterns=3) != n_val(n_patterns=4)
    tab_a, tab_b = ui.status(a)["tab"], ui.status(b)["tab"]
    runs = {r["tab"]: r for r in server.sessions()["runs"] if r["tab"] in (tab_a, tab_b)}
    assert runs[tab_a]["alive"] and runs[tab_b]["alive"]

    a.context.close()
    gone = ui.wait_until(
        lambda: next((r for r in server.sessions()["runs"]
                      if r["tab"] == tab_a and r["closed"] and not r["alive"]), None),
        60, "the closed tab's thread to stop (server side)")
    assert gone["status"] in ("stopped", "released")
    run_b = next(r for r in server.sessions()["runs"] if r["tab"] == tab_b)
    assert run_b["alive"] and not run_b["closed"]
    before = ui.status(b)["epoch"]
    ui.wait_until(lambda: ui.status(b)["epoch"] > before, ui.WAIT_S, "the other tab to keep training")
