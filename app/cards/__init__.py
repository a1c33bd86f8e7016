"""The page's cards, each a ``pn.viewable.Viewer`` over one Controller: settings (the
sidebar), header (buttons and status line), source, training, family, inspection, probes,
anomaly, runs, files, sweep; the logic only one card uses sits beside it (``inspector``,
``prober``, ``anomaly_streams``, ``sweeper``); plus what the cards share (theme,
typed_inputs, safe_text, lazy: a folded card built on its first open)."""
