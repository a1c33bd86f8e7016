"""The per-epoch views report what they claim to while they are made cheaper: k-NN and
silhouette on their stated sample equal a brute-force computation on the same points,
one encoder pass gives the same latent points and KL view as two did, and an epoch's
event carries what the page reads, with the time each view took."""
import numpy as np
import pytest

from tsvae_core import events as ev
from tsvae_core.data import generate
from tsvae_core.metrics import MAX_POINTS, knn_accuracy, silhouette
from tsvae_core.models import build_model
from tsvae_core.models.vae import kl_per_dim
from tsvae_core.probes import ProbeConfig, make_probes
from tsvae_core.session.training import TrainingSession

from .session_tools import collect, epochs_of
from .tiny import QUICK_BUILD, tiny_configs


def _brute_knn(z, y, starts, seq_len, k=5):
    """Even-indexed points vote for the odd-indexed ones; overlapping windows excluded."""
    ref = np.arange(0, len(z), 2)
    hits = []
    for q in range(1, len(z), 2):
        allowed = [r for r in ref if abs(starts[q] - starts[r]) >= seq_len]
        dist = [float(np.sum((z[q] - z[r]) ** 2)) for r in allowed]
        nearest = [allowed[i] for i in np.argsort(dist)[:k]]
        votes = np.bincount(y[nearest], minlength=y.max() + 1)
        hits.append(votes.argmax() == y[q])
    return float(np.mean(hits))


def _brute_silhouette(z, y):
    s = []
    for i in range(len(z)):
        d = np.linalg.norm(z - z[i], axis=1)
        same = y == y[i]
        a = d[same].sum() / max(same.sum() - 1, 1)
        b = min(d[y == c].mean() for c in np.unique(y) if c != y[i])
        s.append(0.0 if same.sum() == 1 else (b - a) / max(a, b))
    return float(np.mean(s))


def _points(n, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(-1, 4, n)                                  # -1: noise, left out
    z = rng.normal(0, 1, (n, 2)) + 2.0 * np.maximum(y, 0)[:, None]
    starts = rng.permutation(n * 3)[:n]
    return z, y, starts


def test_knn_and_silhouette_on_every_point_when_the_sample_holds_them_all():
    z, y, starts = _points(400)
    keep = y >= 0
    assert keep.sum() < MAX_POINTS                 # the sample is every labelled point
    assert knn_accuracy(z, y, starts=starts, seq_len=8) == pytest.approx(
        _brute_knn(z[keep], y[keep], starts[keep], 8))
    assert silhouette(z, y) == pytest.approx(_brute_silhouette(z[keep], y[keep]), abs=1e-9)


def test_knn_and_silhouette_on_the_stated_sample_of_a_larger_set():
    """Above ``max_points`` the metrics use the evenly spaced labelled points
    ``linspace(0, n_labelled - 1, max_points)``, the same points every epoch."""
    z, y, starts = _points(900, seed=1)
    keep = y >= 0
    zl, yl, sl = z[keep], y[keep], starts[keep]
    sample = np.linspace(0, len(zl) - 1, 300).astype(int)
    assert knn_accuracy(z, y, max_points=300, starts=starts, seq_len=8) == pytest.approx(
        _brute_knn(zl[sample], yl[sample], sl[sample], 8))
    assert silhouette(z, y, max_points=300) == pytest.approx(
        _brute_silhouette(zl[sample], yl[sample]), abs=1e-9)


def test_one_encoder_pass_gives_what_two_gave():
    data, model, _ = tiny_configs(**QUICK_BUILD)
    x = generate(data).x_val
    vae = build_model(data, model)
    z, extras = vae.epoch_views(x, np.zeros(len(x), int), np.arange(len(x)))
    np.testing.assert_allclose(z, vae.latent(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(extras["kl_per_dim"], vae.epoch_extras(x, None, None)["kl_per_dim"],
                               rtol=1e-5, atol=1e-6)


def test_families_with_more_extras_keep_them():
    data, model, _ = tiny_configs(architecture="vae_classifier")
    ds = generate(data)
    z, extras = build_model(data, model).epoch_views(ds.x_val, ds.y_val, ds.start_val)
    assert z.shape == (len(ds.x_val), model.latent_dim)
    assert set(extras) == {"kl_per_dim", "confusion_matrix"}


def test_epoch_event_carries_what_the_page_reads_and_what_it_cost():
    data, model, train = tiny_configs(epochs=2, **QUICK_BUILD)
    ds = generate(data)
    s = TrainingSession(data, model, train, dataset=ds)
    probes = make_probes(data, ProbeConfig(), ds)
    s.set_probes(probes)
    s.start()
    seen = collect(s, lambda _: s.status in ev.ENDED and not s.is_alive(), timeout=300)
    assert s.status == ev.FINISHED, s.message
    last = epochs_of(seen + s.drain())[-1]
    assert last.epoch == 2 and s.snapshot_epoch == 2   # the snapshot holds these weights
    x_sub = ds.x_val[s.subset]
    z = s.encode(x_sub)
    np.testing.assert_allclose(last.z_mean, z, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(last.labels, ds.y_val[s.subset])
    z_mean, z_log_var, _ = s._snapshot.encoder.predict(x_sub, verbose=0)
    np.testing.assert_allclose(last.extras["kl_per_dim"], kl_per_dim(z_mean, z_log_var),
                               rtol=1e-4, atol=1e-6)
    assert last.knn_accuracy == pytest.approx(knn_accuracy(
        last.z_mean, last.labels, starts=ds.start_val[s.subset], seq_len=data.seq_len))
    assert last.silhouette == pytest.approx(silhouette(last.z_mean, last.labels))
    # a reconstruction samples z, so it differs from call to call: its window and shape
    np.testing.assert_array_equal(last.recon_inputs, ds.x_val[last.recon_indices])
    assert last.recon_outputs.shape == last.recon_inputs.shape
    for name, window in probes.items():
        np.testing.assert_allclose(last.probe_latent[name], s.encode(window[None])[0],
                                   rtol=1e-5, atol=1e-6)
    t = last.timings
    assert {"steps", "validation", "snapshot", "views", "view:latent", "view:knn",
            "view:silhouette", "view:probes", "view:reconstructions"} <= set(t)
    assert all(v >= 0 for v in t.values())
    assert t["views"] == pytest.approx(sum(v for k, v in t.items() if k.startswith("view:")))
    assert t["steps"] + t["validation"] == pytest.approx(last.epoch_seconds)
    assert t["validation"] > 0


def test_batched_predict_gives_keras_predict_numbers():
    """``models.base.predict`` feeds PREDICT_BATCH windows at a time to predict_on_batch
    (no per-call data pipeline); it must give what model.predict gives, output by output."""
    from tsvae_core.models.base import PREDICT_BATCH, predict
    data, model, _ = tiny_configs(**QUICK_BUILD)
    vae = build_model(data, model)
    x = np.random.default_rng(0).random((2 * PREDICT_BATCH + 37, data.seq_len,
                                         data.n_features + 1), dtype=np.float32)
    ours = predict(vae.encoder, x)
    theirs = vae.encoder.predict(x, batch_size=PREDICT_BATCH, verbose=0)
    assert len(ours) == len(theirs) == 3
    for a, b in zip(ours[:2], theirs[:2]):      # the third output samples z
        np.testing.assert_array_equal(a, b)
    assert predict(vae.decoder, ours[0]).shape == (len(x), data.seq_len, data.n_features + 1)
