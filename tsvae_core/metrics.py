"""Latent-space quality: how well z_mean separates the patterns (noise windows excluded).

Pure numpy on at most a few thousand points, so it runs after every epoch.
"""
from __future__ import annotations

import numpy as np

MAX_POINTS = 2000  # pairwise distances cost O(n^2): metrics use at most this many points


def _labelled(z: np.ndarray, labels: np.ndarray, max_points: int, starts=None):
    keep = labels >= 0
    z, labels = z[keep], labels[keep]
    starts = None if starts is None else np.asarray(starts)[keep]
    if len(z) > max_points:  # a fixed, evenly spaced subsample: the same points every epoch
        idx = np.linspace(0, len(z) - 1, max_points).astype(int)
        z, labels = z[idx], labels[idx]
        starts = None if starts is None else starts[idx]
    return z.astype(np.float64), labels, starts


def _sq_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.maximum(d, 0.0)


def knn_accuracy(z: np.ndarray, labels: np.ndarray, k: int = 5,
                 max_points: int = MAX_POINTS, starts=None, seq_len: int = 0) -> float:
    """Accuracy of a k-nearest-neighbour vote: even-indexed labelled points are the
    reference set, odd-indexed ones are classified (a fixed split, so epochs compare).

    With ``starts`` (each window's first row in the series) and ``seq_len``, reference
    windows that overlap the query window are not neighbours: stride-1 windows a few rows
    apart are near copies, and finding them says nothing about the pattern.
    """
    z, labels, starts = _labelled(z, labels, max_points, starts)
    if len(z) < 2 * k or not np.isfinite(z).all():
        return float("nan")
    ref, ref_y, query, query_y = z[0::2], labels[0::2], z[1::2], labels[1::2]
    d = _sq_distances(query, ref)
    if starts is not None and seq_len:
        overlap = np.abs(starts[1::2, None] - starts[None, 0::2]) < seq_len  # (n_query, n_ref)
        d[overlap] = np.inf
    nearest = np.argpartition(d, k - 1, axis=1)[:, :k]          # (n_query, k)
    votes = ref_y[nearest]
    n_classes = int(labels.max()) + 1
    counts = np.zeros((len(query), n_classes), dtype=np.int32)
    np.add.at(counts, (np.repeat(np.arange(len(query)), k), votes.ravel()), 1)
    return float((counts.argmax(axis=1) == query_y).mean())


def silhouette(z: np.ndarray, labels: np.ndarray, max_points: int = MAX_POINTS) -> float:
    """Mean silhouette coefficient (Euclidean) of the labelled points."""
    z, labels, _ = _labelled(z, labels, max_points)
    classes, codes = np.unique(labels, return_inverse=True)
    if len(classes) < 2 or len(z) < 3 or not np.isfinite(z).all():
        return float("nan")
    d = np.sqrt(_sq_distances(z, z))                            # (n, n)
    onehot = np.eye(len(classes))[codes]                         # (n, n_classes)
    sizes = onehot.sum(0)
    sums = d @ onehot                                            # (n, n_classes)
    own = sizes[codes]
    a = sums[np.arange(len(z)), codes] / np.maximum(own - 1, 1)
    mean_other = sums / sizes
    mean_other[np.arange(len(z)), codes] = np.inf
    b = mean_other.min(axis=1)
    s = (b - a) / np.maximum(np.maximum(a, b), 1e-12)
    s[own == 1] = 0.0  # a point alone in its cluster scores 0, as scikit-learn does
    return float(s.mean())
