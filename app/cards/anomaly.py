"""The anomaly card: the series with its labelled anomalies, under it the reconstruction
error per step with the threshold and the flagged ranges, the metrics over epochs when
there are labels, the threshold settings, and a download of the last epoch's per-row
scores (row, score, flagged, label). Shown only while the run's data are one
continuous series (``AnomalyStreams.has_series``); the synthetic demo's windows are not.
"""
from __future__ import annotations

import holoviews as hv
import panel as pn

from .anomaly_streams import AnomalyStreams
from ..plots import anomaly as ap
from .theme import plot_pane


class AnomalyView(pn.viewable.Viewer):
    def __init__(self, streams: AnomalyStreams, **params):
        super().__init__(**params)
        self.streams = streams

    def __panel__(self):
        st = self.streams
        series = hv.DynamicMap(lambda data: ap.series_with_labels(data), streams=[st.pipe])
        error = hv.DynamicMap(lambda data: ap.error_with_threshold(data), streams=[st.pipe])
        metrics = hv.DynamicMap(lambda data: ap.metric_curves(data), streams=[st.metrics])
        settings = pn.Param(st.config, parameters=["rule", "percentile", "tail_risk", "scoring",
                                                   "max_windows"],
                            show_name=False, default_layout=pn.Column, width=260)
        plots = pn.Column(plot_pane(series, min_height=200), plot_pane(error, min_height=200),
                          pn.Column(plot_pane(metrics, min_height=220),
                                    visible=st.param.has_labels),
                          sizing_mode="stretch_width")
        download = pn.widgets.FileDownload(
            callback=st.scores_file, filename="tsvae-scores.csv", label="Download scores (CSV)",
            color="primary", variant="outline", css_classes=["tsvae-download-scores"], width=220)
        return pn.Column(
            pn.pane.Markdown(st.param.summary, css_classes=["tsvae-anomaly-summary"]),
            pn.Row(download, pn.pane.Markdown(
                "Every scored row of the last epoch: row, score, flagged, label.",
                margin=(0, 10))),
            pn.Row(plots, settings, sizing_mode="stretch_width"),
            visible=st.param.has_series, sizing_mode="stretch_width")
