"""1-NN accuracy from a training part to a test part: in a model's latent space and on
the raw windows (Euclidean), the comparison the command line and the page report for a
classification run (a train/test pair, an aeon collection)."""
from __future__ import annotations

import numpy as np

from .data import Dataset

#: test points compared per block (bounds the distance matrix's memory)
BLOCK = 1024


def one_nn_accuracy(train: np.ndarray, y_train: np.ndarray, test: np.ndarray,
                    y_test: np.ndarray) -> float:
    """Share of test points whose nearest training point (Euclidean, flattened) has
    their label."""
    a = np.asarray(train, np.float64).reshape(len(train), -1)
    b = np.asarray(test, np.float64).reshape(len(test), -1)
    a_sq = (a * a).sum(1)
    hits = 0
    for lo in range(0, len(b), BLOCK):
        part = b[lo:lo + BLOCK]
        d = a_sq[None, :] - 2.0 * part @ a.T               # |b|^2 is the same per row
        hits += int((y_train[d.argmin(1)] == y_test[lo:lo + BLOCK]).sum())
    return hits / max(len(b), 1)


def is_classification(ds: Dataset | None) -> bool:
    """Labelled training and test windows, and no anomaly scoring."""
    return (ds is not None and ds.scored_rows is None and len(ds.y_train) > 0
            and len(ds.y_val) > 0 and (ds.y_train >= 0).any() and (ds.y_val >= 0).any())


def pair_report(encode, ds: Dataset) -> dict[str, float]:
    """{'latent_1nn', 'euclidean_1nn', 'n_train', 'n_test'} on the labelled windows;
    ``encode``: windows -> latent points."""
    tr, te = ds.y_train >= 0, ds.y_val >= 0
    x_tr, y_tr, x_te, y_te = ds.x_train[tr], ds.y_train[tr], ds.x_val[te], ds.y_val[te]
    signal = [i for i, n in enumerate(ds.channel_names) if n != "time"] or [0]
    return {"latent_1nn": one_nn_accuracy(encode(x_tr), y_tr, encode(x_te), y_te),
            "euclidean_1nn": one_nn_accuracy(x_tr[:, :, signal], y_tr, x_te[:, :, signal], y_te),
            "n_train": int(tr.sum()), "n_test": int(te.sum())}
