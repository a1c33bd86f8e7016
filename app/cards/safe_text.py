"""Text that users supply (link values and names, file names, the keys and values of an
uploaded settings file, messages that quote them) shown as text, never as markup.

Panel's Alert and Markdown panes render Markdown with raw HTML allowed, so a link such as
``/?architecture=<script>...`` or ``<img src=x onerror=...>`` as a field name would run in
the reader's page. Every pane that shows such text goes through ``literal_markdown`` (for
Markdown-based panes, which keep their look) or ``html.escape`` (for HTML panes).
"""
from __future__ import annotations

import re
import string

import panel as pn

# CommonMark lets any ASCII punctuation be backslash-escaped, and an escaped character is
# always literal text: no tag, entity, emphasis, link, code span or math starts with it.
_PUNCT = re.compile("([" + re.escape(string.punctuation) + "])")


def literal_markdown(text) -> str:
    """Markdown source that renders exactly ``text`` (line breaks kept as such)."""
    if text is None:
        return ""
    escaped = _PUNCT.sub(r"\\\1", str(text))
    # a line break inside one paragraph: Markdown's hard break (two spaces) keeps it
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def text_alert(ref, alert_type: str, css_class: str, **params) -> pn.pane.Alert:
    """An Alert that shows the string parameter ``ref`` (e.g. ``ctrl.state.param.error``) as
    text, visible while it is not empty."""
    return pn.pane.Alert(ref.rx.pipe(literal_markdown), alert_type=alert_type,
                         css_classes=[css_class], visible=ref.rx.bool(),
                         sizing_mode="stretch_width", **params)


def text_markdown(ref, css_class: str, **params) -> pn.pane.Markdown:
    """A Markdown pane over a string parameter whose text is shown literally."""
    return pn.pane.Markdown(ref.rx.pipe(literal_markdown), css_classes=[css_class], **params)
