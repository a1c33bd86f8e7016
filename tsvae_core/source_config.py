"""The data source fields of ``DataConfig`` (its base class): which source, and each real
source's own fields. ``SOURCE_FIELDS`` says which source uses which, as each ``FamilySpec``'s ``fields``
does for the model families; the page shows a source's fields only while it is chosen.
"""
from __future__ import annotations

import param

#: Where a run's windows come from (``tsvae_core.sources``); synthetic is the original demo.
SOURCES = ["synthetic", "aeon_collection", "aeon_anomaly", "file", "cmapss"]
#: Classification sets shipped inside the aeon package (read offline, never downloaded).
AEON_COLLECTIONS = ["GunPoint", "ArrowHead", "ItalyPowerDemand", "OSULeaf", "ACSF1",
                    "PickupGestureWiimoteZ", "BasicMotions", "JapaneseVowels", "UnitTest"]
#: Anomaly series shipped inside the aeon package.
AEON_ANOMALY_SERIES = ["KDD-TSAD_135", "ecg-diff-count-3", "Daphnet_S06R02E0"]
TIME_CHANNELS = ["cosine", "none", "timestamps"]
#: Largest file read (and uploaded: the page's websocket limit is set from it). Here, not
#: in ``sources.files``, so that ``tsvae --help`` need not import pandas to print it.
MAX_FILE_BYTES = 200 * 2**20
#: file: which rows are the normal part an anomaly run trains on (``normal_rows``)
NORMAL_ROWS = ["auto", "time_split", "first", "labelled"]

_SYNTHETIC = ["n_patterns", "repeats", "n_features", "noise_size", "noise_amplitude"]
#: Source -> the DataConfig fields it uses; a field in no list (seq_len, time_wavelengths,
#: val_fraction, seed) applies to every source, as a FamilySpec's fields do for the families.
SOURCE_FIELDS: dict[str, list[str]] = {
    "synthetic": _SYNTHETIC,
    "aeon_collection": ["collection"],
    "aeon_anomaly": ["anomaly_series", "window_periods", "stride", "time_channel"],
    "file": ["data_path", "value_columns", "label_column", "anomaly_column", "normal_rows",
             "normal_fraction", "window_periods", "test_path", "split_column",
             "instance_column", "time_column", "stride", "time_channel", "max_fill"],
    "cmapss": ["data_path", "stride", "rul_cap"],
}


class SourceConfig(param.Parameterized):
    """Where the windows come from; ``tsvae_core.sources`` reads these fields."""

    source = param.Selector(objects=SOURCES, default="synthetic",
                            doc="Data source: synthetic (the original demo's patterns), "
                                "aeon_collection (a labelled UCR/UEA set shipped with aeon), "
                                "aeon_anomaly (an anomaly series shipped with aeon), file (your "
                                "CSV, Parquet, NPY or NPZ) or cmapss (a CMAPSS turbofan file).")
    # ---- the real-data sources' own fields (SOURCE_FIELDS says which source uses which) ----
    collection = param.Selector(objects=AEON_COLLECTIONS, default="GunPoint",
                                doc="aeon_collection: the set; its published train/test split "
                                    "is kept (test = validation) and every instance is "
                                    "resampled to seq_len samples (linear interpolation), "
                                    "which also makes variable-length sets one length.")
    anomaly_series = param.Selector(objects=AEON_ANOMALY_SERIES, default="ecg-diff-count-3",
                                    doc="aeon_anomaly: the series; a labelled series' anomaly-"
                                        "free training part trains, its test part (with the "
                                        "labelled anomalies) validates; Daphnet is unlabelled.")
    data_path = param.String("", doc="file / cmapss: path of the file to read (CSV, Parquet, "
                                     "NPY, NPZ; cmapss: the whitespace format of train_FD001.txt).")
    value_columns = param.String("", doc="file: comma-separated value columns (empty: every "
                                         "numeric column but the label and time columns).")
    label_column = param.String("", doc="file: optional column with each row's class; a "
                                        "window's label is the most frequent one of its rows.")
    anomaly_column = param.String("", doc="file: optional column of 0/1 per row (1 = the row "
                                          "is anomalous): an anomaly run. Every row is scored "
                                          "and, with these labels, ROC-AUC, range PR-AUC and "
                                          "VUS-PR are shown.")
    normal_rows = param.Selector(objects=NORMAL_ROWS, default="auto",
                                 doc="file: the normal part an anomaly run trains on: first (the "
                                     "first normal_fraction of the rows), labelled (the rows whose "
                                     "anomaly_column is 0), time_split (no anomaly run: training "
                                     "rows, a gap, validation rows; only those are scored); auto: "
                                     "first with an anomaly_column, else time_split. first and "
                                     "labelled score every row.")
    normal_fraction = param.Number(0.3, bounds=(0.05, 0.95),
                                   doc="file, normal_rows=first: the share of the rows, from the "
                                       "start, that is normal and trains the model.")
    window_periods = param.Number(0.0, bounds=(0.0, 64.0),
                                  doc="file / aeon_anomaly: above 0, seq_len becomes this many "
                                      "dominant periods of the series (estimated from its "
                                      "autocorrelation; the data line shows both); 0: seq_len "
                                      "as set.")
    test_path = param.String("", doc="file: a second file with the same columns whose rows "
                                     "(or instances) are the test part: a train/test pair; "
                                     "latent 1-NN on it is reported beside 1-NN Euclidean.")
    split_column = param.String("", doc="file: a column saying train or test for every row (a "
                                        "train/test pair in one file).")
    instance_column = param.String("", doc="file: rows sharing this column's value form one "
                                           "instance, which becomes one window (resampled to "
                                           "seq_len); its class is the label_column's value.")
    time_column = param.String("", doc="file: optional time column (numbers or dates); rows "
                                       "are sorted by it, and gaps and duplicates are reported.")
    stride = param.Integer(1, bounds=(1, 4096),
                           doc="file / aeon_anomaly / cmapss: rows between the starts of two "
                               "windows.")
    time_channel = param.Selector(objects=TIME_CHANNELS, default="cosine",
                                  doc="file / aeon_anomaly: the last channel: cosine (the "
                                      "original's time encoding from time_wavelengths), none, or "
                                      "timestamps (the time column scaled as the values are).")
    max_fill = param.Integer(3, bounds=(0, 10_000), precedence=0.9,
                             doc="file: runs of at most this many missing or infinite values "
                                 "in a column are filled by linear interpolation; a longer run "
                                 "is refused with its column and row (0: refuse any).")
    rul_cap = param.Integer(125, bounds=(1, 10_000),
                            doc="cmapss: remaining useful life is capped at this many cycles "
                                "(piecewise-linear, as in RVE) and divided by it: the "
                                "vae_regressor target in [0, 1].")

    def is_synthetic(self) -> bool:
        return self.source == "synthetic"

    def resolved_normal_rows(self) -> str:
        """``normal_rows`` with auto decided: first with an anomaly column, else time_split."""
        if self.normal_rows != "auto":
            return self.normal_rows
        return "first" if self.anomaly_column.strip() else "time_split"

    def is_pair(self) -> bool:
        """Whether a file run is a train/test pair (two files, or a split column)."""
        return bool(self.test_path.strip() or self.split_column.strip())

    def has_time_channel(self) -> bool:
        """Whether the windows' last channel is a time channel (time_bypass needs one)."""
        if self.source in ("aeon_collection", "cmapss"):
            return False
        return self.is_synthetic() or self.time_channel != "none"
