"""Our reconstruction-error scores against aeon's anomaly detectors, on aeon's two labelled
series (offline): KDD-TSAD 135 InternalBleeding16 and GutenTAG's ecg-diff-count-3.

Every method scores the same test rows (the series after its normal training part) and
gets the same metrics (``tsvae_core.anomaly.metrics.label_metrics``, VUS-PR with aeon's
default buffer of 500 rows). Semi-supervised detectors (LOF, Isolation Forest, k-means)
are fitted on the normal training part; STOMP and MERLIN look at the test part alone, as
their definitions do. Our models train on stride-1 windows of the training part (every
phase of the beat; see docs/benchmarks.md) and are scored per step and per window.

    .venv/bin/python benchmarks/bench_real_anomaly.py [--epochs 10] [--quick]
    .venv/bin/python benchmarks/bench_real_anomaly.py --series ecg-diff-count-3 --quick \
        --windows 80 120 160 --ensemble --no-peers      # an ensemble over window lengths

Needs the data and bench extras (aeon, stumpy, pyod). Prints one table per series.
"""
from __future__ import annotations

import argparse
import logging
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from tsvae_core.anomaly.scores import AnomalyConfig, score_dataset  # noqa: E402
from tsvae_core.anomaly.metrics import METRIC_NAMES, label_metrics  # noqa: E402
from tsvae_core.anomaly import series as anomaly_series  # noqa: E402
from tsvae_core.config import make_configs  # noqa: E402
from tsvae_core.session.training import TrainingSession  # noqa: E402

VUS_BUFFER = 500  # aeon's default, for every method alike
#: series -> (loader, window lengths tried): a window spans 2-6 periods of the signal
#: (the ECG's beat is 20 rows, the bleeding series' cycle about 10)
SERIES = {"kdd-tsad-135": (anomaly_series.kdd_tsad_135, (32, 64)),
          "ecg-diff-count-3": (anomaly_series.ecg_diff_count_3, (40, 80))}
#: our model families tried, with their own settings (dense bodies train fastest on CPU)
FAMILIES = {
    "autoencoder": dict(architecture="autoencoder", hidden_units=128, latent_dim=16),
    "dense_vae": dict(architecture="dense_vae", hidden_units=128, latent_dim=16, beta=0.01),
    "conv_vae": dict(architecture="conv_vae", conv_filters=16, latent_dim=16, beta=0.01),
}


def ours(ds, seq_len: int, family: str, epochs: int,
         seed: int = 7) -> dict[str, tuple[np.ndarray, float]]:
    """Train one model; its per-step and per-window scores of the test rows."""
    data, model, train = make_configs(
        "quick", seq_len=seq_len, n_features=1, n_patterns=3, repeats=30, noise_size=0,
        scale_steps=2, output_activation="linear", batch_size=64, learning_rate=2e-3,
        epochs=epochs, seed=seed, **FAMILIES[family])
    s = TrainingSession(data, model, train, dataset=ds)
    s.set_anomaly_config(AnomalyConfig(max_windows=50))  # per-epoch scores: cheap here
    t0 = time.perf_counter()
    s.start()
    s.join()
    seconds = time.perf_counter() - t0
    if s.status != "finished":
        raise RuntimeError(f"{family}: {s.message}")
    out = {}
    for scoring in ("step", "window"):
        t1 = time.perf_counter()
        a = score_dataset(s.snapshot.reconstruct, ds, seq_len,
                          AnomalyConfig(scoring=scoring, rule="tail", max_windows=100_000))
        out[f"ours {family} w{seq_len} {scoring}"] = (
            a.step_error.astype(np.float64), a.threshold, seconds + time.perf_counter() - t1)
    return out


def peers(train: np.ndarray, test: np.ndarray, window: int, quick: bool) -> dict:
    """aeon's detectors' scores of ``test`` (per row), with their seconds."""
    from aeon.anomaly_detection.series.distance_based import KMeansAD, LOF, MERLIN, STOMP
    from aeon.anomaly_detection.series.outlier_detection import IsolationForest
    made = {
        f"STOMP w{window}": (STOMP(window_size=window), False),
        f"LOF w{window}": (LOF(window_size=window), True),
        f"IsolationForest w{window}": (IsolationForest(window_size=window, random_state=0), True),
        f"KMeansAD w{window}": (KMeansAD(window_size=window, random_state=0), True),
    }
    if not quick:  # MERLIN searches every length in its range: kept to 5 lengths
        made[f"MERLIN {window - 4}-{window}"] = (
            MERLIN(min_length=window - 4, max_length=window), False)
    out = {}
    for name, (det, semi) in made.items():
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if semi:
                det.fit(train)
            score = np.asarray(det.predict(test), dtype=np.float64)
        out[name] = (score, None, time.perf_counter() - t0)
    return out


def table(name: str, truth: np.ndarray, results: dict) -> None:
    print(f"\n{name}: {len(truth)} test rows, {int(truth.sum())} labelled anomalous")
    cols = list(METRIC_NAMES)
    print(f"{'method':<36}" + "".join(f"{METRIC_NAMES[c]:>14}" for c in cols) + f"{'s':>8}")
    rows = []
    for method, (score, thresh, seconds) in results.items():
        if thresh is None:  # peers give scores only: range F1 at their own 99th percentile
            thresh = float(np.nanpercentile(score, 99))
        m, note = label_metrics(truth, score, thresh, vus_buffer=VUS_BUFFER, vus_max_rows=None)
        rows.append((m.get("vus_pr", float("nan")), method, m, seconds, note))
    for _, method, m, seconds, note in sorted(rows, key=lambda r: -r[0]):
        vals = "".join(f"{m.get(c, float('nan')):>14.3f}" for c in cols)
        print(f"{method:<36}{vals}{seconds:>8.1f} {note}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="one window, autoencoder only, no MERLIN")
    ap.add_argument("--series", choices=list(SERIES), nargs="*", default=list(SERIES))
    ap.add_argument("--windows", type=int, nargs="*", help="window lengths (default: per series)")
    ap.add_argument("--families", choices=list(FAMILIES), nargs="*")
    ap.add_argument("--ensemble", action="store_true",
                    help="add 'ours ensemble': per row, the mean over the window lengths of "
                         "each model's per-window score divided by its own threshold")
    ap.add_argument("--no-peers", action="store_true", help="leave out aeon's detectors")
    ap.add_argument("--seed", type=int, default=7, help="our models' seed")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for name in args.series:
        load, windows = SERIES[name]
        windows = args.windows or (windows[:1] if args.quick else windows)
        families = args.families or (["autoencoder"] if args.quick else list(FAMILIES))
        results, truth = {}, None
        for w in windows:
            ds = load(w)
            lo = ds.val_row_start
            truth = ds.row_anomaly[lo:].astype(int)
            for fam in families:
                results.update(ours(ds, w, fam, args.epochs, args.seed))
            if args.no_peers:
                continue
            # peers see the same scaled values (min-max on the training part)
            series = ds.series[:, 0].astype(np.float64)  # stumpy wants float64
            results.update(peers(series[:lo], series[lo:], w, args.quick))
        if args.ensemble:
            for fam in families:
                results.update(ensemble(results, fam, windows))
        table(name, truth, results)


def ensemble(results: dict, family: str, windows) -> dict:
    """One score per row from the models of every window length: each model's per-window
    score divided by its own threshold (its training errors' tail), then the mean, so that
    no length dominates by its error scale; threshold 1 (the mean model's threshold)."""
    parts = [results[f"ours {family} w{w} window"] for w in windows]
    score = np.mean([p[0] / p[1] for p in parts], axis=0)
    return {f"ours {family} ensemble w{'+'.join(map(str, windows))}": (
        score, 1.0, sum(p[2] for p in parts))}


if __name__ == "__main__":
    main()
