"""Shared by the server-less dashboard tests: the tiny settings and a polling helper.
(A module of its own: ``conftest`` is a name tests/e2e uses too.)"""
from __future__ import annotations

import time

from tests.core.tiny import QUICK_BUILD, waiting_in_pause  # noqa: F401  (one copy of each)

# Small enough that one epoch takes well under a second on a loaded 2-core CPU.
TINY = dict(n_patterns=3, repeats=6, seq_len=16, n_features=2, noise_size=50, scale_steps=2,
            batch_size=16, epochs=3, conv_filters=4, jit_compile="off")  # compile > run


def columns(element) -> dict[str, int]:
    """Bokeh column name -> rows, over every data source of the rendered element."""
    import holoviews as hv
    from bokeh.models import ColumnDataSource
    fig = hv.render(element, backend="bokeh")
    found = {}
    for src in fig.select({"type": ColumnDataSource}):
        for k, v in src.data.items():
            found[k] = max(found.get(k, 0), len(v))
    return found


def close_tabs(ctrls) -> None:
    """Shut the test's controllers down (as closed tabs) and wait for their runs' ends."""
    for ctrl in ctrls:
        s = ctrl.session
        ctrl.shutdown()
        if s is not None:
            s.join(30)


def wait_for(ctrl, predicate, timeout: float = 60.0, what: str = "condition"):
    """Poll the controller like the page's periodic callback until ``predicate()``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ctrl.poll()
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}; status "
                         f"{ctrl.state.status!r}, epoch {ctrl.state.epoch}, error {ctrl.state.error!r}")
