"""Long messages in a real browser are shown whole (issue 22 item 6: they were cut
mid-word at a pane's or the table's edge, "the worker cra", "stopped b"), and a bad data
upload is named in the data line, holds Start and is one line in the server's log (item 4).
See conftest.py."""
from __future__ import annotations

import pytest

STUDY = "my/" + "a-study-with-a-long-descriptive-name-" * 4


def test_a_long_sweep_message_is_shown_whole(new_page, ui):
    pytest.importorskip("optuna")
    page = new_page()
    ui.open_card(page, "Sweep")
    ui.set_input(page, "Study", STUDY)
    page.locator(".tsvae-sweep-start button").click()
    status = page.locator(".tsvae-sweep-status")
    ui.wait_until(lambda: "a name without slashes" in (status.text_content() or ""), ui.WAIT_S,
                  "the sweep's refusal")
    assert STUDY in status.text_content()
    assert ui.cut_off(status) == []


def test_a_stopped_trials_note_is_shown_whole_in_a_narrow_page(new_page, ui):
    pytest.importorskip("optuna")
    page = new_page("architecture=dense_vae")
    page.set_viewport_size({"width": 1000, "height": 1300})  # the table is wider than its card
    ui.open_card(page, "Sweep")
    ui.set_input(page, "N trials", 1)
    page.locator(".tsvae-sweep-start button").click()
    state = page.locator('.tsvae-sweep-table .tabulator-row [tabulator-field="state"]').first
    ui.wait_until(lambda: state.count() and state.text_content() == "running", ui.TRAIN_WAIT_S,
                  "the running trial")
    page.locator(".tsvae-sweep-stop button").click()
    note = page.locator('.tsvae-sweep-table .tabulator-row [tabulator-field="note"]').first
    ui.wait_until(lambda: "stopped by the user" in (note.text_content() or ""), ui.TRAIN_WAIT_S,
                  "the stopped trial's note")
    assert ui.cut_off(note) == []
    assert ui.cut_off(page.locator(".tsvae-sweep-status")) == []


def test_a_bad_upload_is_named_holds_start_and_is_one_log_line(new_page, ui, server, tmp_path):
    page = new_page()
    start = page.locator(".tsvae-start button")
    ui.wait_until(lambda: start.is_enabled(), ui.WAIT_S, "Start to be enabled")
    logged = server.log.stat().st_size
    name = "sensor-readings-from-the-north-building-" * 2 + "march.csv"
    path = tmp_path / name
    rows = [f"{i % 7}.5,{i % 5}.25" for i in range(300)]
    rows[120] = "0.5,oops"                                 # text in a numeric column
    path.write_text("a,b\n" + "\n".join(rows) + "\n")
    page.locator(".tsvae-load-data input[type=file]").set_input_files(str(path))
    note = page.locator("span.tsvae-data-note")
    text = ui.wait_until(lambda: (lambda t: t if "was not loaded" in t else None)(
        note.text_content() or ""), ui.WAIT_S, "the data line to say the file was not loaded")
    assert text.startswith(f"{name} was not loaded: ") and "'oops'" in text
    assert "Start is off until another file is uploaded" in text
    assert ui.cut_off(note) == []
    ui.wait_until(lambda: start.is_disabled(), ui.WAIT_S, "Start to be disabled")
    assert page.locator(".tsvae-error").get_by_text("has text at data row 120").count()
    with open(server.log, encoding="utf-8", errors="replace") as f:
        f.seek(logged)
        new = f.read()
    # the server's log format has no level; test_source_card checks it is a warning
    about = [line for line in new.splitlines() if name in line]
    assert len(about) == 1 and "not loaded" in about[0] and "has text" in about[0], new[-3000:]
    assert "Traceback" not in new, new[-3000:]
    # another file: its data, and Start again
    good = tmp_path / "good.csv"
    good.write_text("a,b\n" + "".join(f"{i % 7}.5,{i % 5}.25\n" for i in range(300)))
    page.locator(".tsvae-load-data input[type=file]").set_input_files(str(good))
    ui.wait_until(lambda: "time split" in (note.text_content() or ""), ui.WAIT_S,
                  "the good file's data line")
    ui.wait_until(lambda: start.is_enabled(), ui.WAIT_S, "Start to be enabled again")


def test_the_save_cards_long_lines_are_shown_whole(new_page, ui, tmp_path):
    page = new_page()
    ui.open_card(page, "Save, load and download")
    reason = page.locator(".tsvae-download-reason-text")
    ui.wait_until(lambda: reason.count() and "Disabled:" in reason.text_content(), ui.WAIT_S,
                  "the download reason")
    assert ui.cut_off(reason) == []
    junk = tmp_path / ("a-model-file-with-a-very-long-name-that-says-what-it-holds-" * 3 + ".keras")
    junk.write_bytes(bytes(range(256)) * 8)
    page.locator(".tsvae-load-model input[type=file]").set_input_files(str(junk))
    problem = page.locator(".tsvae-files-problem")
    text = problem.get_by_text(junk.name)
    ui.wait_until(lambda: text.count(), ui.WAIT_S, "the message naming the file")
    assert junk.name in text.inner_text() and ui.cut_off(text) == []
