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
