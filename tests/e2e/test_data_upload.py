"""Your own data in a real browser: upload a CSV in the Data card, the page says the
split it used, Start trains on it and the loss appears (see conftest.py)."""
from __future__ import annotations

import math

import numpy as np


def test_upload_a_csv_start_and_the_loss_appears(new_page, ui, tmp_path):
    t = np.arange(400)
    path = tmp_path / "mine.csv"
    path.write_text("a,b,label\n" + "".join(
        f"{math.sin(i / 4):.4f},{math.cos(i / 9):.4f},{(i // 40) % 2}\n" for i in t))
    page = new_page("architecture=dense_vae")  # traces in a second: the test is the data
    page.locator(".tsvae-load-data input[type=file]").set_input_files(str(path))
    note = page.locator("span.tsvae-data-note")
    # the file is read in the server's thread pool; the data line then says the split
    ui.wait_until(lambda: "time split" in (note.text_content() or ""), ui.WAIT_S,
                  "the data line with the split")
    text = note.text_content()
    assert "file: " in text and "validation windows of 16 x 4" in text   # a, b, label, time
    ui.click(page, "start")
    ui.wait_until(lambda: ui.status(page)["epoch"] >= 1, 180, "the first epoch on the file")
    row = page.locator(".tsvae-runs-table tbody tr").first     # the run's loss, as numbers
    ui.wait_until(lambda: row.count(), ui.WAIT_S, "the run's row")
    loss = ui.wait_until(lambda: (lambda v: v if math.isfinite(v) else None)(
        float(row.get_attribute("data-final-loss") or "nan")), ui.WAIT_S, "its loss")
    assert loss > 0
    ui.click(page, "stop")
    ui.wait_until(lambda: ui.status(page)["status"] == "stopped", ui.WAIT_S, "stopped")
