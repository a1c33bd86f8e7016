"""Run comparison and the run table: plain lists and arrays in, holoviews elements or HTML
out (nothing here knows about sessions, streams or widgets).

A run's curves come as a dict ``{"run_id", "epoch", "val_loss", "knn_accuracy"}`` of
equally long sequences (``run_curves`` makes one from a RunRecord).
"""
from __future__ import annotations

import html
import math
import time

import holoviews as hv
import holoviews.plotting.bokeh  # noqa: F401  (registers the bokeh options used below)
import numpy as np

from tsvae_core.runs import format_duration

#: Colours of earlier runs, in the order they are listed; the current run is white.
RUN_COLORS = ("#4fc3f7", "#ffb74d", "#81c784", "#ba68c8", "#f06292", "#fff176", "#4db6ac",
              "#a1887f", "#90a4ae", "#ff8a65")
CURRENT_COLOR = "#f5f5f5"
#: The comparison's x axis. Not named "epoch": Panel links the axes of plots that share a
#: dimension, and the loss plots' epochs are the current run's only.
EPOCH = hv.Dimension("run_epoch", label="epoch")
#: (key in the curves dict, y label, log axis) of the comparison's two panels.
PANELS = (("val_loss", "val loss", True), ("knn_accuracy", "k-NN accuracy", False))
#: Columns of the run table before and after the configuration fields.
LEAD_COLUMNS = ("run", "status")
TAIL_COLUMNS = ("epochs", "final loss", "best k-NN", "time", "started")


def run_curves(record) -> dict:
    """The comparison's arrays of one RunRecord (NaN where an epoch lacks a value)."""
    h = record.history
    return {"run_id": record.run_id,
            "epoch": np.array([r["epoch"] for r in h], dtype=float),
            "val_loss": np.array([r.get("val_loss", math.nan) for r in h], dtype=float),
            "knn_accuracy": np.array([r.get("knn_accuracy", math.nan) for r in h], dtype=float)}


#: Colours of the comparison: earlier runs by their position, the current run, and an
#: invisible one. Paths carry the index as a number ("slot") mapped through this fixed
#: palette, and every layer holds an invisible empty path too: HoloViews turns a colour
#: dimension with a single value into that value as a literal colour (an int: black).
PALETTE = (*RUN_COLORS, CURRENT_COLOR, "#00000000")
CURRENT_SLOT, NO_SLOT = len(RUN_COLORS), len(RUN_COLORS) + 1
_COLOR_MAP = dict(cmap=list(PALETTE), clim=(-0.5, len(PALETTE) - 0.5), colorbar=False)
_NO_PATH = {"run_epoch": np.array([np.nan]), "value": np.array([np.nan]), "run": "",
            "slot": NO_SLOT}


def _paths(runs: list[dict], key: str, slots: list[int]) -> list[dict]:
    out = []
    for run, slot in zip(runs, slots):
        y = np.asarray(run[key], dtype=float)
        if key == "val_loss":
            y = np.where(y > 0, y, np.nan)  # a log axis cannot show 0 or less
        out.append({"run_epoch": np.asarray(run["epoch"], dtype=float), "value": y,
                    "run": run["run_id"], "slot": slot})
    return out


def _markers(paths: list[dict]) -> hv.Points:
    """A marker at every epoch of every run: a path through one point draws nothing, so
    a run of one epoch would not show (the invisible row keeps the colour a mapping)."""
    rows = [(np.nan, np.nan, "", NO_SLOT)]
    for p in paths:
        rows += [(x, y, p["run"], p["slot"]) for x, y in zip(p["run_epoch"], p["value"])
                 if np.isfinite(y)]
    return hv.Points(rows, [EPOCH, "value"], ["run", "slot"])


def _labels(paths: list[dict]) -> hv.Labels:
    rows = [(np.nan, np.nan, "", NO_SLOT)]
    for p in paths:
        ok = np.flatnonzero(np.isfinite(p["value"]))
        if len(ok):
            rows.append((p["run_epoch"][ok[-1]], p["value"][ok[-1]], p["run"], p["slot"]))
    return hv.Labels(rows, [EPOCH, "value"], ["run", "slot"])


def comparison_panel(current: dict | None, earlier: list[dict], key: str, label: str,
                     logy: bool) -> hv.Overlay:
    """One quantity per epoch: earlier runs thin and dashed, each in its own colour, the
    current run solid and thick, every curve named by its run id at its last point.

    Always the same four layers (earlier paths, current path, every epoch's marker,
    labels), whatever the number of runs: a plot's layers cannot change once drawn.
    """
    kdims = [EPOCH, hv.Dimension("value", label=label)]
    vdims = ["run", "slot"]
    earlier_paths = _paths(earlier, key, [i % len(RUN_COLORS) for i in range(len(earlier))])
    current_paths = _paths([current] if current is not None else [], key, [CURRENT_SLOT])
    layers = [
        hv.Contours([_NO_PATH, *earlier_paths], kdims, vdims, label="earlier runs").opts(
            color="slot", line_dash="dashed", line_width=1.5, tools=["hover"], framewise=True,
            **_COLOR_MAP),
        hv.Contours([_NO_PATH, *current_paths], kdims, vdims, label="current run").opts(
            color="slot", line_width=3, tools=["hover"], framewise=True, **_COLOR_MAP),
        _markers(earlier_paths + current_paths).opts(
            color="slot", size=5, tools=["hover"], framewise=True, **_COLOR_MAP),
        _labels(earlier_paths + current_paths).opts(
            text_color="slot", text_font_size="9pt", text_align="left", xoffset=0.3,
            framewise=True, **_COLOR_MAP),
    ]
    return hv.Overlay(layers).opts(
        title=f"{label} per epoch", logy=logy, responsive=True, min_height=260,
        xlabel="epoch", ylabel=label + (" (log)" if logy else ""), show_legend=False,
        padding=((0.02, 0.12), 0.08),  # room on the right for the run ids
        framewise=True)


def comparison(data: dict | None, key: str = "val_loss") -> hv.Overlay:
    """The panel of ``key`` (a key of PANELS) for ``data = {"current": curves or None,
    "earlier": [curves, ...]}`` (None: nothing yet).

    One panel per DynamicMap: a DynamicMap that returns a Layout keeps its first frame's
    axis ranges (HoloViews 1.23), so the page shows the two panels side by side instead.
    """
    data = data or {}
    (label, logy), = [(lab, log) for k, lab, log in PANELS if k == key]
    return comparison_panel(data.get("current"), data.get("earlier", []), key, label, logy)


# ---- the run table ----
def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return ", ".join(_fmt(v) for v in value)
    return str(value)


def table_fields(records, differing: set[str]) -> list[str]:
    """The configuration columns: architecture, then the fields in which the runs differ
    (in the order the configs list them; ``loaded_from`` last)."""
    order = list(records[0].config) if records else []
    for r in records[1:]:
        order += [k for k in r.config if k not in order]
    fields = ["architecture"] + [k for k in order if k in differing and k != "architecture"
                                 and k != "loaded_from"]
    if "loaded_from" in differing or any("loaded_from" in r.config for r in records):
        fields.append("loaded_from")
    return fields


def runs_table(records, current_id: str, differing: set[str]) -> str:
    """HTML table of ``records``, newest first; the current run's row is marked, and a
    configuration cell is highlighted where its value differs from the current run's
    (from the newest run's when no run is current)."""
    records = list(records)
    if not records:
        return "<p class='tsvae-runs-empty'>No runs yet: Start or Step begins one.</p>"
    fields = table_fields(records, differing)
    ref = next((r for r in records if r.run_id == current_id), records[-1])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in
                   (*LEAD_COLUMNS, *(f.replace('_', ' ') for f in fields), *TAIL_COLUMNS))
    rows = []
    for r in reversed(records):
        current = r.run_id == current_id
        cells = [f"<td class='run-id'>{html.escape(r.run_id)}{' ◀ current' if current else ''}"
                 "</td>", f"<td class='run-status'>{html.escape(r.status)}</td>"]
        for f in fields:
            value = r.config.get(f, "")
            diff = f in differing and value != ref.config.get(f, "")
            cls = " class='tsvae-diff'" if diff else ""
            shown = html.escape(_fmt(value)) if f in r.config else "–"
            cells.append(f"<td data-field='{f}'{cls}>{shown}</td>")
        knn = "–" if math.isnan(r.best_knn) else f"{r.best_knn:.3f}"
        loss = "–" if math.isnan(r.final_loss) else f"{r.final_loss:.4g}"
        started = time.strftime("%H:%M:%S", time.localtime(r.started))
        cells += [f"<td>{len(r.history)}</td>", f"<td>{loss}</td>", f"<td>{knn}</td>",
                  f"<td>{format_duration(r.elapsed_s)}</td>", f"<td>{started}</td>"]
        first = r.history[0].get("loss", math.nan) if r.history else math.nan
        # exact numbers for browser tests, as the status line's data-* attributes
        attrs = (f"data-run-id='{html.escape(r.run_id)}' data-status='{html.escape(r.status)}' "
                 f"data-epochs='{len(r.history)}' data-first-loss='{first!r}' "
                 f"data-final-loss='{r.final_loss!r}'"
                 + (" class='tsvae-current'" if current else ""))
        rows.append(f"<tr {attrs}>{''.join(cells)}</tr>")
    return (f"<table class='tsvae-runs-table'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


TABLE_CSS = """
table.tsvae-runs-table { border-collapse: collapse; font-size: 13px; width: 100%;
  color: var(--neutral-foreground-rest, #ddd); }
.tsvae-runs-table th, .tsvae-runs-table td { padding: 3px 8px; text-align: left;
  border-bottom: 1px solid #3a4654; white-space: nowrap; }
.tsvae-runs-table th { color: #9fb3c8; font-weight: 600; }
.tsvae-runs-table td.tsvae-diff { background: rgba(255, 183, 77, 0.22); color: #ffcc80;
  font-weight: 600; }
.tsvae-runs-table tr.tsvae-current td { background-color: rgba(79, 195, 247, 0.12); }
.tsvae-runs-table tr.tsvae-current td.tsvae-diff { background: rgba(255, 183, 77, 0.3); }
.tsvae-runs-table td.run-id { font-family: monospace; }
"""
