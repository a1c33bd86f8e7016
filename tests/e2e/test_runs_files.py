"""Runs, save/load/download and links in a real browser (see conftest.py).

The run table's rows carry data-* attributes (run id, status, epochs, first and final
loss) so the tests read numbers, not prose.
"""
from __future__ import annotations

import csv
import io
import json
import urllib.parse

from tsvae_core.config import make_configs
from tsvae_core.runs import config_from_json

from conftest import OUTPUT, OVERRIDES  # noqa: E402  (tests/e2e is on sys.path)


def rows(page) -> list[dict]:
    """The run table's rows, newest first (a locator: Panel renders in shadow roots)."""
    return page.locator(".tsvae-runs-table tbody tr").evaluate_all("""trs => trs.map(tr => ({
            id: tr.dataset.runId, status: tr.dataset.status, epochs: +tr.dataset.epochs,
            first: +tr.dataset.firstLoss, final: +tr.dataset.finalLoss,
            current: tr.classList.contains('tsvae-current'),
            diff: Array.from(tr.querySelectorAll('td.tsvae-diff')).map(td => td.dataset.field)}))""")


def download(page, key: str, tmp_path, ui) -> tuple[str, bytes]:
    button = page.locator(f".tsvae-download-{key} button, .tsvae-download-{key} a").first
    try:
        ui.wait_until(button.is_enabled, ui.WAIT_S, f"the {key} download enabled")
    except AssertionError as exc:  # say whether the server or the browser is behind
        raise AssertionError(f"{exc}; {ui.model_states(page, f'tsvae-download-{key}')}") from None
    with page.expect_download() as info:
        button.click()
    dl = info.value
    path = tmp_path / dl.suggested_filename
    dl.save_as(path)
    return dl.suggested_filename, path.read_bytes()


def widget(page, label: str):
    return page.locator(".bk-input-group", has_text=label).locator("input").first


def query(page) -> dict:
    # from the browser: page.url only changes when Playwright handles its events, which a
    # polling loop of page.url reads and sleeps never lets it do
    href = page.evaluate("() => window.location.href")
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(href).query))


def test_save_reset_load_and_continue_from_the_saved_model(new_page, ui, tmp_path):
    page = new_page()
    ui.open_card(page, "Runs")
    ui.open_card(page, "Save, load and download")
    ui.click(page, "start")
    ui.wait_until(lambda: ui.status(page)["epoch"] >= 6, ui.TRAIN_WAIT_S, "epoch 6")
    ui.click(page, "stop")
    ui.wait_until(lambda: ui.status(page)["status"] == "stopped", ui.WAIT_S, "stopped")
    saved = ui.wait_until(lambda: (lambda r: r[0] if r and r[0]["status"] == "stopped" else None)(
        rows(page)), ui.WAIT_S, "the stopped run in the table")
    name, data = download(page, "model", tmp_path, ui)
    assert name == f"tsvae-{saved['id']}.keras" and data[:2] == b"PK"  # a .keras zip

    ui.click(page, "reset")
    ui.wait_until(lambda: ui.status(page)["status"] == "idle", ui.WAIT_S, "reset to idle")
    page.locator(".tsvae-load-model input[type=file]").set_input_files(str(tmp_path / name))
    msg = page.locator(".tsvae-files-message")
    # the text is inside the alert's shadow root: found by get_by_text, not inner_text
    ui.wait_until(lambda: msg.is_visible() and msg.get_by_text(f"Loaded {name}").count(), ui.WAIT_S,
                  "the loaded message")

    ui.click(page, "step")  # exactly one epoch from the loaded weights, then pause
    table = ui.wait_until(lambda: (lambda r: r if len(r) == 2 and r[0]["epochs"] >= 1 else None)(
        rows(page)), ui.TRAIN_WAIT_S, "the loaded run's first epoch in the table")
    loaded, first_run = table
    assert loaded["current"] and not first_run["current"] and first_run["id"] == saved["id"]
    assert "loaded_from" in first_run["diff"]  # the new run says where it came from
    # its first loss is close to the saved run's last one, far from a fresh first epoch
    assert abs(loaded["first"] - saved["final"]) < 0.5 * abs(saved["first"] - saved["final"]), (
        loaded, saved)

    ui.click(page, "pause")  # resume: a few more epochs for the comparison
    ui.wait_until(lambda: rows(page)[0]["epochs"] >= 4, ui.TRAIN_WAIT_S, "4 epochs of the loaded run")
    ui.click(page, "stop")
    assert page.locator(".tsvae-runs-overlay input:checked").count() == 1  # the earlier run
    OUTPUT.mkdir(exist_ok=True)
    page.locator(".tsvae-runs-table").scroll_into_view_if_needed()  # waits until it is there
    page.screenshot(path=str(OUTPUT / "runs-card.png"))  # the table and the comparison


def test_downloads_and_settings_round_trip(new_page, ui, tmp_path):
    page = new_page()
    ui.open_card(page, "Runs")
    ui.open_card(page, "Save, load and download")
    ui.click(page, "start")
    ui.wait_until(lambda: ui.status(page)["epoch"] >= 2, ui.TRAIN_WAIT_S, "epoch 2")
    ui.click(page, "stop")
    ui.wait_until(lambda: ui.status(page)["status"] == "stopped", ui.WAIT_S, "stopped")
    run = ui.wait_until(lambda: (lambda r: r[0] if r and r[0]["status"] == "stopped" else None)(
        rows(page)), ui.WAIT_S, "the stopped run")

    name, data = download(page, "history", tmp_path, ui)
    assert name == f"tsvae-{run['id']}-history.csv"
    history = list(csv.DictReader(io.StringIO(data.decode())))
    assert [int(r["epoch"]) for r in history] == list(range(1, run["epochs"] + 1))
    assert float(history[-1]["loss"]) == run["final"]
    assert {"val_loss", "knn_accuracy"} <= set(history[0])

    name, data = download(page, "latent", tmp_path, ui)
    assert name == f"tsvae-{run['id']}-latent.csv"
    latent = list(csv.reader(io.StringIO(data.decode())))
    assert latent[0] == ["label", "z0", "z1"]
    data_cfg = make_configs("quick", **OVERRIDES)[0]
    assert len(latent) - 1 == data_cfg.n_windows() - data_cfg.n_train()
    assert all(len(r) == 3 and int(r[0]) in (-1, 0, 1, 2) for r in latent[1:])

    name, data = download(page, "config", tmp_path, ui)
    assert name == f"tsvae-{run['id']}-config.json"
    loaded = config_from_json(data.decode())
    for cfg, page_cfg in zip(loaded, make_configs("quick", **OVERRIDES)):
        assert cfg.param.values() | {"name": ""} == page_cfg.param.values() | {"name": ""}

    # change two widgets, then load the saved settings: the widgets are back
    ui.set_input(page, "Latent dim", 3)
    ui.set_input(page, "Learning rate", 0.0123)
    ui.wait_until(lambda: query(page).get("latent_dim") == "3", ui.WAIT_S, "the link to follow")
    page.locator(".tsvae-load-config input[type=file]").set_input_files(str(tmp_path / name))
    ui.wait_until(lambda: widget(page, "Latent dim").input_value() == "2", ui.WAIT_S,
                  "latent dim back to 2")
    # the fields arrive one after the other: latent_dim first, learning_rate after it
    ui.wait_until(lambda: float(widget(page, "Learning rate").input_value()) == OVERRIDES.get(
        "learning_rate", 3e-3), ui.WAIT_S, "learning rate back")
    # a file that is no settings file: a message, the widgets stay
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"ModelConfig": {"latent_dim": 999}}))
    page.locator(".tsvae-load-config input[type=file]").set_input_files(str(bad))
    problem = page.locator(".tsvae-files-problem")
    ui.wait_until(lambda: problem.is_visible() and problem.get_by_text("latent_dim=999").count(),
                  10, "the bad file's message")
    assert widget(page, "Latent dim").input_value() == "2"


def test_a_link_sets_the_widgets_and_a_bad_one_is_reported(new_page, ui):
    page = new_page("latent_dim=3&n_patterns=4&learning_rate=0.005&architecture=dense_vae")
    assert widget(page, "Latent dim").input_value() == "3"
    assert widget(page, "N patterns").input_value() == "4"
    assert float(widget(page, "Learning rate").input_value()) == 0.005
    assert "dense_vae" in page.locator(".bk-input-group", has_text="Architecture") \
        .locator("select").first.input_value()
    assert not page.locator(".tsvae-notice").is_visible()
    # the query string carries every field, and follows a widget
    ui.wait_until(lambda: query(page).get("seq_len") == str(OVERRIDES["seq_len"]), ui.WAIT_S,
                  "the full settings in the link")
    ui.set_input(page, "Latent dim", 4)
    ui.wait_until(lambda: query(page).get("latent_dim") == "4", ui.WAIT_S, "the link to follow")
    link = page.evaluate("() => window.location.href")
    page.context.close()

    # the copied link opens with the same settings
    again = new_page(urllib.parse.urlsplit(link).query)
    assert widget(again, "Latent dim").input_value() == "4"
    assert widget(again, "N patterns").input_value() == "4"
    again.context.close()

    bad = new_page("latent_dim=999&nonsense=1&n_patterns=4&time_bypass=maybe")
    notice = bad.locator(".tsvae-notice")
    ui.wait_until(lambda: notice.is_visible(), ui.WAIT_S, "the notice")
    text = notice.get_by_text("Ignored requested settings").inner_text()
    assert "latent_dim=" in text and "nonsense" in text and "time_bypass" in text
    assert widget(bad, "Latent dim").input_value() == "2"  # the default
    assert widget(bad, "N patterns").input_value() == "4"  # the good field applied
    ui.wait_until(lambda: query(bad).get("latent_dim") == "2" and "nonsense" not in query(bad),
                  10, "the link to show the page's settings")
    ui.click(bad, "start")  # and the page works
    ui.wait_until(lambda: ui.status(bad)["epoch"] >= 1, ui.TRAIN_WAIT_S, "epoch 1")
