"""Placeholder: the URL query string follows the widgets (issue 5)."""
from __future__ import annotations

from .controller import Controller


def sync_url(ctrl: Controller) -> None:
    """Keep ``pn.state.location``'s query string equal to the tab's settings."""
