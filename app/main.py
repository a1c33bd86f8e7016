"""Entry point for `panel serve app/main.py` (or the `tsvae` command): one page per tab."""
import panel as pn

from app.dashboard import serve_session

# Bokeh and Panel resources are served by this server itself (panel serve's default);
# no CDN is needed, so the page works offline.
pn.extension("tabulator", notifications=False)  # tabulator: the Sweep card's table

serve_session().servable()
