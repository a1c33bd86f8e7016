"""tsvae dashboard: a Panel app that trains a time-series autoencoder and shows it learning.

- ``main``: the page each browser tab gets (``panel serve app/main.py``).
- ``dashboard``: one tab's page assembled: its Controller, cards, template and poll.
- ``tab/``: one tab's logic without widgets (state, controller, settings, streams, ...).
- ``cards/``: the page's cards, each a viewer over the tab, with the logic it alone uses
  (inspector, prober, sweeper, anomaly streams).
- ``plots/``: arrays in, holoviews elements out.
- ``server/``: what the server holds for every tab (runs, files, debug routes, the CLI).
"""
