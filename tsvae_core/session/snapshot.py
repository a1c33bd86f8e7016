"""The snapshot: a second model of the run's architecture holding the weights of the last
finished epoch (or of a loaded model), for inspection from any thread.

The training thread copies the weights in at the end of every epoch (``update``), under
the snapshot's own lock; ``encode``, ``decode``, ``reconstruct`` and ``save`` take the same
lock, so they work while ``fit`` runs, paused or after the run ended, without touching the
model being trained. It also holds what each epoch's view reads besides the model (the
probes, the anomaly settings; ``tsvae_core.session.epoch_view``).
``SnapshotInspection`` gives a training session these as its own methods.
"""
from __future__ import annotations

import threading

import keras
import numpy as np

from .. import events as ev
from ..anomaly.scores import AnomalyConfig
from ..safe_files import replacing
from .epoch_view import epoch_view


def save_finite(model: keras.Model, path) -> None:
    """Write ``model`` to ``path`` through a temporary file and an atomic rename; a model
    with a NaN or infinite weight is refused (ValueError): it would only replace a good
    file with a useless one (a diverged run's last step)."""
    bad = sum(int(np.size(w) - np.count_nonzero(np.isfinite(w))) for w in model.get_weights())
    if bad:
        raise ValueError(f"{bad} of {model.count_params()} weights are NaN or infinite")
    with replacing(path) as tmp:
        model.save(tmp)


class Snapshot:
    """The last finished epoch's weights of one session; windows are (seq_len, channels)."""

    def __init__(self, window_shape: tuple[int, int] | None):
        self.window_shape = window_shape
        self.lock = threading.Lock()
        self.model: keras.Model | None = None
        self.epoch = 0          # 0: no epoch finished yet
        #: True when the model is the initial (loaded) one: usable before any epoch.
        self.loaded = False
        self._probes: tuple[list[str], np.ndarray, list[int | None]] | None = None
        #: How a continuous series is scored each epoch; replaced whole from any thread.
        self.anomaly_config = AnomalyConfig()

    @property
    def ready(self) -> bool:
        """Whether there are weights to use: a finished epoch's or a loaded model's."""
        return self.model is not None and bool(self.epoch or self.loaded)

    def take(self, model: keras.Model, loaded: bool = False) -> None:
        """Use ``model`` (built, of the run's architecture) as the snapshot."""
        with self.lock:
            self.model, self.loaded = model, loaded

    def update(self, weights: list, epoch: int) -> None:
        """Copy the trained model's weights in (training thread, epoch end)."""
        with self.lock:
            self.model.set_weights(weights)
            self.epoch = epoch

    def check_windows(self, x: np.ndarray, what: str) -> np.ndarray:
        shape = self.window_shape
        if shape is None:
            raise ValueError(f"{what}: the run has not read its data yet (window shape unknown)")
        if x.ndim != 3 or x.shape[1:] != shape:
            raise ValueError(f"{what}: windows must have shape (n, {shape[0]}, {shape[1]}), "
                             f"got {x.shape}")
        return x

    def ready_model(self, what: str, status: str) -> keras.Model:
        """The model, for ``what``; RuntimeError before the first epoch (call under lock)."""
        if not self.ready:
            raise RuntimeError(f"{what} needs a finished epoch (status {status})")
        return self.model

    def encode(self, x, status: str) -> np.ndarray:
        x = self.check_windows(np.asarray(x, dtype="float32"), "encode")
        with self.lock:
            return self.ready_model("encode", status).latent(x)

    def decode(self, z, time_value, default_time, status: str) -> np.ndarray:
        """``default_time()`` gives the time value when the decoder needs one and none was
        given (the reconstruction view's window)."""
        with self.lock:
            model = self.ready_model("decode", status)
            if time_value is None and model.time_bypassed():
                time_value = default_time()
            return model.decode(z, time_value)

    def reconstruct(self, x: np.ndarray) -> np.ndarray | None:
        """Reconstructions of ``x``, or None before the first epoch."""
        with self.lock:
            return self.model.reconstruct(x) if self.ready else None

    def save(self, path) -> bool:
        """Write the model to ``path``; False (nothing written) before the first epoch."""
        with self.lock:
            if self.ready:
                save_finite(self.model, path)
            return self.ready

    # ---- probes ----
    def set_probes(self, probes: dict | None) -> None:
        """Windows to encode after every epoch: name -> (seq_len, channels) window or
        (n, seq_len, channels) windows; None or {} clears them."""
        if not probes:
            self._probes = None
            return
        names, arrays, sizes = [], [], []
        for name, w in probes.items():
            w = np.asarray(w, dtype="float32")
            single = w.ndim == 2
            w = self.check_windows(w[None] if single else w, f"probe {name!r}")
            names.append(str(name))
            arrays.append(w)
            sizes.append(None if single else len(w))
        self._probes = (names, np.concatenate(arrays), sizes)  # one batch for all probes

    def probe_latent(self, model) -> dict[str, np.ndarray]:
        probes = self._probes  # one read: set_probes may replace it meanwhile
        if probes is None:
            return {}
        names, x, sizes = probes
        z = model.latent(x)                             # (n_probe_windows, latent)
        out, at = {}, 0
        for name, size in zip(names, sizes):
            out[name] = z[at] if size is None else z[at:at + size]
            at += 1 if size is None else size
        return out


class SnapshotInspection:
    """Inspection methods of a training session (any thread), through its ``snapshot``.

    The session provides ``snapshot``, ``dataset``, ``model`` (None until built), ``status``,
    ``n_epochs``, ``_recon_indices``, ``subset`` (or ``_subset_indices()``) and
    ``is_alive()``.
    """

    @property
    def snapshot_ready(self) -> bool:
        """Whether encode/decode/reconstruct/save have weights to use: a finished epoch's
        or the initial model's."""
        return self.snapshot.ready

    @property
    def snapshot_epoch(self) -> int:
        return self.snapshot.epoch

    @property
    def snapshot_loaded(self) -> bool:
        return self.snapshot.loaded

    @property
    def _snapshot(self) -> keras.Model | None:  # the name tests and older callers use
        return self.snapshot.model

    def reconstruct(self, indices) -> tuple[np.ndarray, np.ndarray]:
        """(inputs, outputs) for validation windows, each (k, seq_len, channels).

        From the snapshot (the last finished epoch's weights) once there is one, so it works
        while training runs; before the first epoch only from a built model that is not
        training, else RuntimeError.
        """
        if self.dataset is not None:
            x = self.dataset.x_val[np.atleast_1d(indices)]
            outputs = self.snapshot.reconstruct(x)
            if outputs is not None:
                return x, outputs
        if self.is_alive() or self.model is None:  # paused mid-epoch is still fit's model
            raise RuntimeError("reconstruct needs a finished epoch or a built model that is "
                               "not training")
        x = self.dataset.x_val[np.atleast_1d(indices)]
        return x, self.model.reconstruct(x)

    def encode(self, x) -> np.ndarray:
        """Windows (n, seq_len, channels) -> (n, latent width) points, exactly as
        ``model.latent`` gives them (z_mean, code, ...), with the last finished epoch's
        weights. Any thread, any time after the first epoch; RuntimeError before."""
        return self.snapshot.encode(x, self.status)

    def decode(self, z, time_value=None) -> np.ndarray:
        """Latent points (n, latent_dim) -> windows (n, seq_len, channels), by the last
        finished epoch's decoder (any thread, after the first epoch).

        With time_bypass the decoder also needs the time channel's value at the window's
        last step: ``time_value`` (a number or one per point, dataset units); by default
        the value of the validation window the reconstruction view shows
        (``set_recon_indices``, window 0 at first), so decoded points share its time
        phase. vq_vae raises ValueError: its latent points are not decoder inputs.
        """
        return self.snapshot.decode(z, time_value, self._shown_time_value, self.status)

    def _shown_time_value(self) -> float:
        if self.dataset is None:
            raise RuntimeError("decode needs time_value until the data exist")
        return float(self.dataset.x_val[self._recon_indices[0], -1, -1])

    def save(self, path) -> None:
        """Write the model to ``path`` (a ``.keras`` file): the last finished epoch's weights,
        so it is safe while training runs; before the first epoch, the built model if it
        is not training, else RuntimeError. Weights that are not all finite are refused
        (ValueError); the file is replaced atomically (``safe_files.replacing``). Reload
        with ``tsvae_core.load_model``, or continue training with
        ``TrainingSession(..., initial_model=path)``."""
        if self.snapshot.save(path):
            return
        if self.model is None or self.is_alive():
            raise RuntimeError("save needs a finished epoch or a built model that is not training")
        save_finite(self.model, path)

    def set_probes(self, probes: dict | None) -> None:
        """Windows to encode after every epoch: name -> (seq_len, channels) window or
        (n, seq_len, channels) windows; None or {} clears them. Their latent points come
        in ``EpochEnd.probe_latent`` (name -> (latent,) or (n, latent)) from the next epoch
        on. Any thread, any time."""
        self.snapshot.set_probes(probes)

    def set_anomaly_config(self, cfg: AnomalyConfig) -> None:
        """How a continuous series is scored and flagged from the next epoch on (a copy is
        kept, so later changes to ``cfg`` do not reach a running epoch). Any thread."""
        self.snapshot.anomaly_config = AnomalyConfig(
            **{k: v for k, v in cfg.param.values().items() if k != "name"})

    def loaded_view(self) -> ev.EpochEnd | None:
        """Epoch 0 of a run that starts from a loaded ``.keras`` file: what its weights make
        of the validation subset (latent points, reconstruction, family extras, probes),
        computed from the snapshot before any training, so a loaded model can be looked
        at and probed at once. None without a loaded model, once an epoch has run, or
        before the session has its data (pass ``dataset=`` to have them at once)."""
        if not self.snapshot_loaded or self.snapshot_epoch or self.dataset is None:
            return None
        if self.subset is None:
            self.subset = self._subset_indices()  # the same indices _build will choose
        with self.snapshot.lock:
            return epoch_view(self.snapshot, self.snapshot.model, self.dataset, self.subset,
                              self._recon_indices, 0, self.n_epochs, {}, 0.0, 0.0)
