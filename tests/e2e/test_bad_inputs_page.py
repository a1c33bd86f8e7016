"""Bad input in a real browser: a link that carries markup, a number out of range typed
into the sidebar (see conftest.py)."""
from __future__ import annotations

import urllib.parse

SCRIPT = "<script>window.__tsvae_x1=1;alert(1)</script>"
IMG_NAME = "<img src=x onerror=window.__tsvae_x2=1;alert(2)>"
IMG_VALUE = "<img src=x onerror=window.__tsvae_x3=1;alert(3)>"
INJECTED = "() => [window.__tsvae_x1, window.__tsvae_x2, window.__tsvae_x3]"


def test_a_link_with_markup_shows_it_as_text_and_runs_nothing(new_page, ui):
    dialogs = []

    def watch(page):
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    link = urllib.parse.urlencode({"architecture": SCRIPT, IMG_NAME: "1",
                                   "latent_dim": IMG_VALUE, "n_patterns": "4"})
    page = new_page(link, on_page=watch)
    notice = page.locator(".tsvae-notice")
    # the text is in the pane's shadow root, which innerText of the host leaves out
    shown = lambda: notice.get_by_text("Ignored requested settings").inner_text()  # noqa: E731
    ui.wait_until(lambda: notice.is_visible(), ui.WAIT_S, "the notice")
    # the unknown field is named once the browser reports the address it opened
    text = ui.wait_until(lambda: (lambda t: t if IMG_NAME in t else None)(shown()),
                         10, "the notice to name the unknown field")
    assert f"architecture={SCRIPT}" in text and f"latent_dim={IMG_VALUE}" in text
    assert f"unknown field '{IMG_NAME}'" in text
    # nothing of it became an element, and nothing ran
    assert page.locator("img[src=x]").count() == 0
    assert page.locator(".tsvae-notice script, .tsvae-notice img").count() == 0
    assert page.evaluate(INJECTED) == [None, None, None]
    assert dialogs == []
    # the good field applied
    assert page.locator(".bk-input-group", has_text="N patterns").locator("input") \
        .first.input_value() == "4"


def test_a_typed_out_of_range_number_is_named_and_start_waits(new_page, ui):
    page = new_page()
    start = page.locator(".tsvae-start button")
    ui.wait_until(lambda: start.is_enabled(), ui.WAIT_S, "Start to be enabled")
    ui.set_input(page, "Epochs", -5)
    error = page.locator(".tsvae-error")
    ui.wait_until(lambda: error.is_visible() and error.get_by_text("epochs=-5").count(), ui.WAIT_S,
                  "the message about epochs")
    assert "1..100000" in error.get_by_text("epochs=-5").inner_text()
    # the message and the button are two updates; a loaded page can show one before the
    # other (seen in a clean-clone run), so the button is waited for as well
    ui.wait_until(lambda: start.is_disabled(), ui.WAIT_S, "Start to be disabled")
    box = page.locator(".bk-input-group", has_text="Epochs").locator("input").first
    assert box.input_value() == "-5"  # what was typed stays, with the message beside it
    ui.set_input(page, "Epochs", 3)
    ui.wait_until(lambda: not error.is_visible() and start.is_enabled(), ui.WAIT_S,
                  "the message to go and Start to come back")
    ui.click(page, "start")
    ui.wait_until(lambda: ui.status(page)["n-epochs"] == 3, 60, "a run of 3 epochs")


def test_bad_files_each_get_a_message_naming_them(new_page, ui, tmp_path):
    page = new_page()
    ui.open_card(page, "Save, load and download")
    problem = page.locator(".tsvae-files-problem")

    def upload(kind: str, path) -> str:
        page.locator(f".tsvae-load-{kind} input[type=file]").set_input_files(str(path))
        return ui.wait_until(
            lambda: problem.is_visible() and problem.get_by_text(path.name).count()
            and problem.get_by_text(path.name).inner_text(), ui.WAIT_S, f"the message for {path.name}")

    junk = tmp_path / "x.keras"
    junk.write_bytes(bytes(range(256)) * 8)
    text = upload("model", junk)
    assert "x.keras: not a Keras model file" in text and "/tmp" not in text
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    assert "empty.json: the file is empty" in upload("config", empty)  # replaces x.keras's
    assert problem.get_by_text("x.keras").count() == 0
    empty_model = tmp_path / "empty.keras"
    empty_model.write_bytes(b"")
    assert "empty.keras: the file is empty" in upload("model", empty_model)


def test_latent_dim_zero_is_named_as_ten_thousand_is(new_page, ui):
    """Issue 22 item 3: 0 typed into Latent dim was reported taken silently (Start stayed
    enabled) while 10000 was named; both ends of the range must be answered alike, whether
    the box is left with Enter or Tab (not reproduced here: this passes on 9e0ce20 too)."""
    page = new_page()
    start = page.locator(".tsvae-start button")
    error = page.locator(".tsvae-error")
    ui.wait_until(lambda: start.is_enabled(), ui.WAIT_S, "Start to be enabled")
    box = page.locator(".bk-input-group", has_text="Latent dim").locator("input").first
    for typed, key in (("0", "Tab"), ("10000", "Enter"), ("0", "Enter"), ("-1", "Tab")):
        box.click()
        box.press("Control+a")
        box.press_sequentially(typed)  # key by key, as a user types; Tab leaves the box
        box.press(key)
        ui.wait_until(lambda: error.is_visible() and error.get_by_text(f"latent_dim={typed}").count(),
                      ui.WAIT_S, f"the message about latent_dim={typed}")
        assert "1..64" in error.get_by_text(f"latent_dim={typed}").inner_text()
        ui.wait_until(lambda: start.is_disabled(), ui.WAIT_S, "Start to be disabled")
        assert box.input_value() == typed
        ui.set_input(page, "Latent dim", 3)
        ui.wait_until(lambda: not error.is_visible() and start.is_enabled(), ui.WAIT_S,
                      "the message to go and Start to come back")
