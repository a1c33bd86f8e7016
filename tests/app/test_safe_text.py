"""User-supplied text is shown as text: the HTML the page's panes send to the browser."""
from __future__ import annotations

import html

import panel as pn
import pytest

from app.cards.header import StatusLine
from app.tab.controller import Controller
from app.cards.files import FilesView
from app.server.runs import RunRegistry
from app.cards.safe_text import literal_markdown

ATTACKS = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>",
           "[click](javascript:alert(3))", "**bold** _em_ `code` $x$ &amp; \\<b>"]


def _browser_html(pane) -> str:
    """The markup the browser parses for a Markdown/Alert pane (Panel sends it escaped)."""
    return html.unescape(pane._transform_object(pane.object)["object"])


@pytest.mark.parametrize("text", ATTACKS)
def test_literal_markdown_renders_the_text_itself(text):
    out = _browser_html(pn.pane.Alert(literal_markdown(f"architecture={text}; kept 'x'")))
    assert "<img" not in out and "<script" not in out and "<a " not in out
    assert "<strong>" not in out and "<code>" not in out and "<b>" not in out
    # what the reader sees is the text, character for character
    assert html.unescape(out.removeprefix("<p>").rstrip().removesuffix("</p>")) == \
        f"architecture={text}; kept 'x'"


def test_without_it_the_same_text_would_be_markup():
    # the check above can fail: Panel's Markdown passes raw HTML through
    assert "<img src" in _browser_html(pn.pane.Alert("<img src=x onerror=alert(2)>"))


def test_line_breaks_and_empty_text():
    assert literal_markdown(None) == "" and literal_markdown("") == ""
    assert "<br" in _browser_html(pn.pane.Markdown(literal_markdown("a\nb")))


def _alert_html(layout, css_class):
    for pane in layout.select(pn.pane.Alert):
        if css_class in pane.css_classes:
            return _browser_html(pane)
    raise AssertionError(f"no alert {css_class}")


def test_notice_error_and_file_messages_of_the_page_are_text(tiny_configs):
    ctrl = Controller(*tiny_configs(), registry=RunRegistry(max_runs=1))
    files = FilesView(ctrl)
    bad = "<img src=x onerror=alert(1)>"
    ctrl.state.notice = f"Ignored requested settings: unknown field '{bad}'"
    ctrl.state.error = f"Cannot load {bad}.keras: not a Keras model file"
    files.problem = f"Cannot load {bad}.json: unknown field"
    files.message = f"Loaded the settings of {bad}.json"
    status, card = StatusLine(ctrl).__panel__(), files.__panel__()
    for layout, css in ((status, "tsvae-notice"), (status, "tsvae-error"),
                        (card, "tsvae-files-problem"), (card, "tsvae-files-message")):
        out = _alert_html(layout, css)
        assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out, (css, out)
    ctrl.shutdown()


def test_the_dead_start_warning_is_on_the_status_line_as_text(tiny_configs):
    from tsvae_core.diagnostics import Health
    ctrl = Controller(*tiny_configs(), registry=RunRegistry(max_runs=1))
    line = StatusLine(ctrl)
    assert "tsvae-health-warning" not in line._line()
    dead = Health(1, 8, 8, "enc_<b>dense", 2000, 1e-4, 0.0)
    ctrl.state.health_warning = dead.warning
    out = line._line()
    assert "tsvae-health-warning" in out and "Dead start" in out and "paper-stable" in out
    assert "enc_&lt;b&gt;dense" in out and "<b>dense" not in out
    ctrl.streams.clear_views()                   # a new run, Reset or a load starts without it
    assert "tsvae-health-warning" not in line._line()
    ctrl.shutdown()
