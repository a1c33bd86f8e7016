"""The anomaly scores of one tab's run, as streams for the anomaly card.

The training thread scores the series after every epoch (``EpochEnd.anomaly``, see
``tsvae_core.anomaly.scores``); this hook of the controller sends the last epoch's scores through
a ``Pipe`` (the series, its per-step error, threshold and ranges replace the previous
ones) and the metrics through a ``Buffer`` (one row per epoch). The threshold settings
(``AnomalyConfig``) go to every new run and to the current one when they change; they
apply from its next epoch. Event loop only, like every stream of the page.
"""
from __future__ import annotations

import io

import holoviews as hv
import numpy as np
import pandas as pd
import param

from tsvae_core.anomaly.scores import AnomalyConfig, AnomalyScores
from tsvae_core.anomaly.export import scores_csv
from tsvae_core.anomaly.metrics import METRIC_NAMES
from tsvae_core.config import field_names

from ..tab.controller import Controller

#: Most rows drawn of the series and its error (every k-th row beyond): the browser gets
#: at most this many points a curve each epoch.
MAX_DRAWN_ROWS = 20_000
NEXT_EPOCH = "*New threshold settings apply from the next epoch.*"


def empty_metrics() -> pd.DataFrame:
    return pd.DataFrame({"epoch": np.zeros(0, int),
                         **{k: np.zeros(0) for k in METRIC_NAMES}})


class AnomalyStreams(param.Parameterized):
    """Pipe and Buffer of the anomaly card, fed by the controller's epoch hook."""

    has_series = param.Boolean(False, doc="The run's data are one scored continuous series.")
    has_labels = param.Boolean(False, doc="Its scored part has anomaly labels (metrics).")
    summary = param.String("", doc="Threshold, flagged ranges and metrics of the last epoch.")

    def __init__(self, ctrl: Controller, **params):
        super().__init__(**params)
        self.ctrl = ctrl
        self.config = AnomalyConfig(name="Anomaly threshold")
        #: the last epoch's scores: what the card's scores download writes
        self.last: AnomalyScores | None = None
        self.pipe = hv.streams.Pipe(data=None)
        self.metrics = hv.streams.Buffer(empty_metrics(), length=100_000, index=False)
        ctrl.streams.epoch_hooks.append(self._on_epoch)
        ctrl.session_hooks.append(lambda s: s.set_anomaly_config(self.config))
        ctrl.state.param.watch(lambda *_: self._clear(), "views_cleared")
        self.config.param.watch(self._on_config, field_names(self.config))

    def _on_config(self, *_):
        if self.ctrl.session is not None:
            self.ctrl.session.set_anomaly_config(self.config)
            if self.has_series and NEXT_EPOCH not in self.summary:
                self.summary += f"  \n{NEXT_EPOCH}"

    def _on_epoch(self, e, s) -> None:
        a: AnomalyScores | None = e.anomaly
        if a is None:
            return
        self.last = a
        self.pipe.send(drawn(a, s.dataset.series, list(s.dataset.channel_names), e.epoch))
        if a.metrics:
            self.metrics.send(pd.DataFrame({"epoch": [e.epoch],
                                            **{k: [a.metrics.get(k, np.nan)]
                                               for k in METRIC_NAMES}}))
        self.param.update(has_series=True, has_labels=a.labels is not None,
                          summary=summary_text(a, e.epoch))

    def scores_file(self) -> io.BytesIO:
        """The last epoch's per-row scores as CSV (row, score, flagged, label)."""
        text = scores_csv(self.last) if self.last is not None else "row,score,flagged,label\n"
        return io.BytesIO(text.encode())

    def _clear(self) -> None:
        self.last = None
        self.metrics.clear()
        self.pipe.send(None)
        self.param.update(has_series=False, has_labels=False, summary="")


def drawn(a: AnomalyScores, series: np.ndarray, names: list[str], epoch: int) -> dict:
    """The pipe's data: the scored rows of the first data channel, their error, the
    threshold, flagged and labelled ranges (series rows), thinned to MAX_DRAWN_ROWS."""
    n = len(a.step_error)
    k = max(1, -(-n // MAX_DRAWN_ROWS))  # ceil: every k-th row
    rows = np.arange(a.row_start, a.row_start + n)[::k]
    channel = 0 if names[0] != "time" or len(names) == 1 else 1
    return dict(rows=rows, values=series[rows, channel], channel=names[channel],
                error=a.step_error[::k], threshold=a.threshold, rule=a.rule,
                ranges=a.ranges, truth=None if a.labels is None else label_ranges(a),
                epoch=epoch)


def label_ranges(a: AnomalyScores) -> np.ndarray:
    """(k, 2) [start, end) series rows of the labelled anomalies of the scored part."""
    edges = np.flatnonzero(np.diff(np.r_[0, a.labels, 0]))
    return edges.reshape(-1, 2) + a.row_start


#: Flagged ranges the summary names (the plot shades them all).
SHOWN_RANGES = 5


def summary_text(a: AnomalyScores, epoch: int) -> str:
    flagged = int((a.ranges[:, 1] - a.ranges[:, 0]).sum()) if len(a.ranges) else 0
    text = (f"Epoch {epoch}: threshold {a.threshold:.4g} ({a.rule}), {len(a.ranges)} flagged "
            f"ranges, {flagged} rows; scored every {a.stride} rows from row {a.row_start}.")
    if len(a.ranges):
        shown = ", ".join(f"{lo}-{hi - 1}" for lo, hi in a.ranges[:SHOWN_RANGES])
        more = f" and {len(a.ranges) - SHOWN_RANGES} more" if len(a.ranges) > SHOWN_RANGES else ""
        text += f"  \nFlagged rows: {shown}{more}."
    if a.metrics:
        text += "  \n" + ", ".join(f"{METRIC_NAMES[k]} {v:.3f}" for k, v in a.metrics.items())
    if a.note:
        text += f"  \n{a.note}"
    return text
