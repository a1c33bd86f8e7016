"""Placeholder: filled in by the issue-5 work."""
from __future__ import annotations

import panel as pn

from .controller import Controller


class FilesView(pn.viewable.Viewer):
    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl

    def __panel__(self):
        return pn.pane.Markdown("")
