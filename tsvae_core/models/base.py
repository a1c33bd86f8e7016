"""What the training session needs from any model family.

A family subclasses ``TimeSeriesAutoencoder`` and overrides what differs: the targets it
trains on, how its latent points and reconstructions are computed, and the arrays its
own live views need after each epoch.

The base class also keeps the per-epoch log entries: a family names them in
``_init_trackers`` (``loss`` first), feeds them in ``compute_loss`` with ``record`` and
Keras reports each, and its ``val_`` twin, in the epoch's logs.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

PREDICT_BATCH = 1024


def predict(model: keras.Model, x: np.ndarray):
    """``model``'s outputs for ``x``, in batches of PREDICT_BATCH through
    ``predict_on_batch``: the numbers ``model.predict(x, batch_size=PREDICT_BATCH)`` gives
    (the same batches), without its fixed cost per call (a data adapter and an iterator:
    measured 1.5 vs 42 ms for 3 windows, 95 vs 1,037 ms for quick's 1,374 validation
    windows on a loaded 2-core CPU), which the per-epoch views pay every epoch."""
    if len(x) <= PREDICT_BATCH:
        return model.predict_on_batch(x)
    parts = [model.predict_on_batch(x[i:i + PREDICT_BATCH])
             for i in range(0, len(x), PREDICT_BATCH)]
    if isinstance(parts[0], (list, tuple)):
        return [np.concatenate([np.asarray(p[j]) for p in parts]) for j in range(len(parts[0]))]
    if isinstance(parts[0], dict):
        return {k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in parts[0]}
    return np.concatenate([np.asarray(p) for p in parts])


class LastValue(keras.metrics.Metric):
    """The value of the last update: over an evaluation, the last batch's. The original
    notebook's validation figures are these (its tracker names are not followed)."""

    def __init__(self, name: str, **kwargs):
        super().__init__(name=name, **kwargs)
        self.value = self.add_variable(shape=(), initializer="zeros", name="value")

    def update_state(self, values, sample_weight=None):
        self.value.assign(ops.cast(values, self.dtype))

    def result(self):
        # a copy: torch would hand out the variable's own storage, which the next
        # evaluation overwrites (measured: the training log changed to the validation's)
        return ops.copy(self.value)

    def reset_state(self):
        self.value.assign(0.0)


class TimeSeriesAutoencoder(keras.Model):
    #: Variational families have a KL term; the others show no KL curve.
    variational = True
    #: What the latent plot's points are called.
    latent_name = "z_mean"
    #: Attributes holding sub-models, saved and restored by get_config / from_config.
    submodels: tuple[str, ...] = ("encoder", "decoder")
    #: ``ModelConfig.loss_reduction``: the reconstruction term's mean or sum over the
    #: batch; ``build_model`` sets it, saving keeps it.
    loss_reduction = "mean"

    def training_data(self, x: np.ndarray, labels: np.ndarray, row_start: np.ndarray):
        """(inputs, targets) for ``fit``; by default the window is its own target."""
        return x, x

    def validation_data(self, x: np.ndarray, labels: np.ndarray, row_start: np.ndarray):
        """(inputs, targets) for ``fit``'s validation; the same as for training unless a
        family reshapes its training set (the classifier repeats its labelled windows)."""
        return self.training_data(x, labels, row_start)

    def latent(self, x: np.ndarray) -> np.ndarray:
        """(n, latent_dim) points for the latent plot and the metrics."""
        out = predict(self.encoder, x)
        return np.asarray(out[0] if isinstance(out, (list, tuple)) else out)

    def reconstruct(self, x: np.ndarray) -> np.ndarray:
        """(n, seq_len, channels) reconstructions of windows."""
        out = predict(self, x)
        return np.asarray(out[0] if isinstance(out, (list, tuple)) else out)

    def latent_width(self) -> int:
        """Size of one latent point: the width of the encoder's first output."""
        return int(self.encoder.outputs[0].shape[-1])

    def time_bypassed(self) -> bool:
        """True when the decoder takes the time value on top of the latent point."""
        return int(self.decoder.input_shape[-1]) == self.latent_width() + 1

    def decode(self, z: np.ndarray, time_value=None) -> np.ndarray:
        """(n, latent_dim) latent points -> (n, seq_len, channels) windows.

        A point is what ``latent`` gives (z_mean for the VAEs, the code for the AEs), fed
        to the decoder as is. With time_bypass the decoder also takes the time channel's
        value at the window's last step: ``time_value`` (a number or one per point) gives
        it, in the dataset's units; it is required then.
        """
        z = np.asarray(z, dtype="float32")
        if z.ndim == 1:
            z = z[None]                                         # one point -> (1, latent_dim)
        width = self.latent_width()
        if z.ndim != 2 or z.shape[1] != width:
            raise ValueError(f"decode: z must have shape (n, {width}) for {self.name}, "
                             f"got {z.shape}")
        if self.time_bypassed():
            if time_value is None:
                raise ValueError(f"decode: {self.name} routes the time channel around the "
                                 "encoder (time_bypass), so it needs time_value, the time "
                                 "channel's value at the window's last step (0..1)")
            t = np.asarray(time_value, dtype="float32").reshape(-1, 1)
            if len(t) not in (1, len(z)):
                raise ValueError(f"decode: time_value needs 1 or {len(z)} values, got {len(t)}")
            z = np.concatenate([z, np.broadcast_to(t, (len(z), 1))], axis=1)  # (n, latent_dim + 1)
        return np.asarray(predict(self.decoder, z))

    def epoch_extras(self, x: np.ndarray, labels: np.ndarray, row_start: np.ndarray) -> dict:
        """Family-specific arrays for the live views, computed after each epoch."""
        return {}

    def epoch_views(self, x: np.ndarray, labels: np.ndarray,
                    row_start: np.ndarray) -> tuple[np.ndarray, dict]:
        """(``latent(x)``, ``epoch_extras(...)``): what the views show after each epoch. A
        family whose extras need the encoder's outputs overrides it to run the encoder once."""
        return self.latent(x), self.epoch_extras(x, labels, row_start)

    # ---- per-epoch log entries ----
    def _init_trackers(self, names, last_value=()) -> None:
        """A mean over the epoch's batches for each of ``names``; for each of
        ``last_value``, the last batch's value."""
        self.trackers = ([keras.metrics.Mean(name=n) for n in names]
                         + [LastValue(name=n) for n in last_value])

    @property
    def metrics(self):
        return list(getattr(self, "trackers", []))

    def record(self, **values) -> None:
        """Update trackers by name; a value may be ``(values, sample_weight)``."""
        for m in self.trackers:
            if m.name in values:
                v = values[m.name]
                if isinstance(v, tuple):
                    m.update_state(v[0], sample_weight=v[1])
                else:
                    m.update_state(v)

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        # The trackers were updated in compute_loss; report them as they are.
        return {m.name: m.result() for m in self.metrics}

    # ---- saving: sub-models plus the plain settings of ``settings()`` ----
    def settings(self) -> dict:
        """Constructor keyword arguments other than the sub-models (plain values)."""
        return {}

    def get_config(self):
        subs = {k: keras.saving.serialize_keras_object(getattr(self, k)) for k in self.submodels}
        return {**super().get_config(), **self.settings(), **subs,
                "loss_reduction": self.loss_reduction}

    @classmethod
    def from_config(cls, config):
        subs = [keras.saving.deserialize_keras_object(config.pop(k)) for k in cls.submodels]
        reduction = config.pop("loss_reduction", "mean")  # files saved before the field: mean
        model = cls(*subs, **config)
        model.loss_reduction = reduction
        return model
