"""The page's cards, each a ``pn.viewable.Viewer`` over one Controller: settings (the
sidebar), header (buttons and status line), training, family, inspection, probes, runs,
files; plus the widgets and panes they share (theme, typed_inputs, safe_text)."""
