"""How the cards draw a plot: in the page's dark theme, stretching to the card's width."""
from __future__ import annotations

import panel as pn
from panel.theme.fast import FastDarkTheme

#: The page's Bokeh theme, given to plot panes explicitly: a pane whose plot is replaced
#: later (a new DynamicMap from pn.bind) otherwise draws the replacement in the light
#: default theme.
DARK_THEME = FastDarkTheme().bokeh_theme


def plot_pane(obj, **params) -> pn.pane.HoloViews:
    """A HoloViews pane in the page's theme, stretching to the card's width."""
    return pn.pane.HoloViews(obj, theme=DARK_THEME, sizing_mode="stretch_width", **params)
