"""Your own data in a real browser: upload a CSV in the Data card, the page says the
split it used, Start trains on it, the loss appears and the anomaly card flags the rows
the file's validation part breaks its pattern in (see conftest.py)."""
from __future__ import annotations

import math
import re

import numpy as np


def test_upload_a_csv_start_and_the_loss_appears(new_page, ui, tmp_path):
    t = np.arange(400)
    a = np.sin(t / 4)
    a[360:366] = 4.0  # an anomaly in the validation part (the time split keeps it last)
    path = tmp_path / "mine.csv"
    path.write_text("a,b,label\n" + "".join(
        f"{a[i]:.4f},{math.cos(i / 9):.4f},{(i // 40) % 2}\n" for i in t))
    page = new_page("architecture=dense_vae")  # traces in a second: the test is the data
    page.locator(".tsvae-load-data input[type=file]").set_input_files(str(path))
    note = page.locator("span.tsvae-data-note")
    # the file is read in the server's thread pool; the data line then says the split
    ui.wait_until(lambda: "time split" in (note.text_content() or ""), ui.WAIT_S,
                  "the data line with the split")
    text = note.text_content()
    assert "file: " in text and "validation windows of 16 x 4" in text   # a, b, label, time
    ui.click(page, "start")
    ui.wait_until(lambda: ui.status(page)["epoch"] >= 1, ui.TRAIN_WAIT_S, "the first epoch on the file")
    ui.open_card(page, "Runs")
    row = page.locator(".tsvae-runs-table tbody tr").first     # the run's loss, as numbers
    ui.wait_until(lambda: row.count(), ui.WAIT_S, "the run's row")
    loss = ui.wait_until(lambda: (lambda v: v if math.isfinite(v) else None)(
        float(row.get_attribute("data-final-loss") or "nan")), ui.WAIT_S, "its loss")
    assert loss > 0
    # the anomaly card: a flagged range covers the injected rows
    # the text is in the Markdown pane's shadow root: CSS locators pierce it, textContent not
    ui.open_card(page, "Anomalies")
    lines = page.locator(".tsvae-anomaly-summary p")

    def flagged():
        text = " ".join(lines.all_text_contents())
        spans = [(int(lo), int(hi)) for lo, hi in re.findall(r"(\d+)-(\d+)",
                                                              text.split("Flagged rows:")[-1])]
        return spans if "Flagged rows:" in text and any(
            lo <= 365 and hi >= 360 for lo, hi in spans) else None
    try:
        ui.wait_until(flagged, 180, "a flagged range over rows 360-365")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the card says: {lines.all_text_contents()!r}") from None
    ui.click(page, "stop")
    ui.wait_until(lambda: ui.status(page)["status"] == "stopped", ui.WAIT_S, "stopped")


def test_a_labelled_csv_scored_on_the_page_and_its_scores_downloaded(new_page, ui, tmp_path):
    """Issue 23's page route: upload a CSV with a 0/1 column, name it the anomaly column,
    Start: every row is scored, the card shows the metrics, and the scores download as
    CSV (row, score, flagged, label) with one line a row."""
    t = np.arange(600)
    a = np.sin(2 * np.pi * t / 20)
    label = np.zeros(600, int)
    a[450:456], label[450:456] = 3.0, 1
    path = tmp_path / "labelled.csv"
    path.write_text("value,is_anomaly\n" + "".join(f"{a[i]:.4f},{label[i]}\n" for i in t))
    page = new_page("architecture=dense_vae&epochs=3")
    page.locator(".tsvae-load-data input[type=file]").set_input_files(str(path))
    note = page.locator("span.tsvae-data-note")
    ui.wait_until(lambda: "time split" in (note.text_content() or ""), ui.WAIT_S, "the data line")
    ui.set_input(page, "Anomaly column", "is_anomaly")
    ui.wait_until(lambda: "every row (0-599) is scored" in (note.text_content() or ""),
                  ui.WAIT_S, "the data line of an anomaly run")
    assert "value" in note.text_content() or "x 2" in note.text_content()  # value + time
    ui.click(page, "start")
    ui.open_card(page, "Anomalies")  # folded: built on its first open
    lines = page.locator(".tsvae-anomaly-summary p")

    def metrics():
        text = " ".join(lines.all_text_contents())
        return text if "VUS-PR" in text and "from row 0" in text else None
    try:
        text = ui.wait_until(metrics, ui.TRAIN_WAIT_S, "the metrics of the whole series")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the card says: {lines.all_text_contents()!r}") from None
    assert "ROC-AUC" in text and "range PR-AUC" in text and "threshold" in text
    button = page.locator(".tsvae-download-scores button, .tsvae-download-scores a").first
    with page.expect_download() as info:
        button.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    rows = saved.read_text().splitlines()
    assert rows[0] == "row,score,flagged,label" and len(rows) == 601
    assert [r.split(",")[3] for r in rows[451:457]] == ["1"] * 6
    ui.wait_until(lambda: ui.status(page)["status"] in ("finished", "stopped"),
                  ui.TRAIN_WAIT_S, "the run's end")
