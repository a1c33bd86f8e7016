import numpy as np

from tsvae_core.metrics import knn_accuracy, silhouette


def _clusters(spread, n=60, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(3), n)
    centres = np.array([[0, 0], [10, 0], [0, 10]], float)
    return centres[labels] + rng.normal(0, spread, (3 * n, 2)), labels


def test_knn_accuracy_perfect_on_separated_and_near_chance_on_mixed():
    z, y = _clusters(0.5)
    assert knn_accuracy(z, y) == 1.0
    rng = np.random.default_rng(1)
    z_random = rng.normal(size=z.shape)
    assert knn_accuracy(z_random, y) < 0.55  # chance is 1/3


def test_noise_windows_are_ignored():
    z, y = _clusters(0.5)
    y_noisy = np.concatenate([y, -np.ones(50, int)])
    z_noisy = np.concatenate([z, np.random.default_rng(2).normal(5, 5, (50, 2))])
    assert knn_accuracy(z_noisy, y_noisy) == 1.0


def _brute_silhouette(z, y):
    s = []
    for i in range(len(z)):
        d = np.linalg.norm(z - z[i], axis=1)
        same = (y == y[i])
        a = d[same].sum() / (same.sum() - 1)
        b = min(d[y == c].mean() for c in np.unique(y) if c != y[i])
        s.append((b - a) / max(a, b))
    return float(np.mean(s))


def test_silhouette_matches_brute_force():
    z, y = _clusters(3.0, n=20)
    assert abs(silhouette(z, y) - _brute_silhouette(z, y)) < 1e-9
    assert silhouette(*_clusters(0.3)) > 0.9


def test_degenerate_inputs_give_nan():
    assert np.isnan(silhouette(np.zeros((5, 2)), np.zeros(5, int)))
    assert np.isnan(knn_accuracy(np.zeros((3, 2)), np.array([0, 1, 2])))


def test_overlapping_windows_are_not_counted_as_neighbours():
    # Each point's only close neighbours are overlapping windows (starts 1 row apart) of a
    # random label: plain k-NN finds the copies, the overlap-aware one cannot.
    rng = np.random.default_rng(3)
    groups = 60
    starts = (np.arange(groups)[:, None] * 1000 + np.arange(6)[None, :]).ravel()
    z = np.repeat(rng.normal(0, 10, (groups, 2)), 6, axis=0) + rng.normal(0, 0.01, (groups * 6, 2))
    labels = np.repeat(rng.integers(0, 3, groups), 6)
    assert knn_accuracy(z, labels) > 0.95
    assert knn_accuracy(z, labels, starts=starts, seq_len=16) < 0.6
