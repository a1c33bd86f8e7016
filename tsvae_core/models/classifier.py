"""``vae_classifier``: semi-supervised; a classifier head on z learns the pattern labels
of a fixed share (``labelled_fraction``) of the windows, the VAE learns from all.

Which windows are labelled depends only on the window's first row and the seed, so it
is the same in every epoch and every run. Training masks out unlabelled and noise
windows (label -1); validation scores every non-noise window, so
``val_classifier_accuracy`` is the accuracy on labels the classifier never saw.

Labelled windows are repeated in the training set until they make about a third of it
(``LABELLED_SHARE``): with 10% labels and batches of 32, a batch held ~3 labelled windows
and the head stayed near chance for 20+ epochs on quick (0.71 after 26), while the same
labels repeated reached 0.98 by epoch 14 (docs/learning.md). An epoch then has at most
~1.5x the windows; validation is never repeated.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

from ..config import DataConfig, ModelConfig
from .supervised import HeadVAE, parts


#: Share of an epoch's training windows that are labelled, reached by repeating them.
LABELLED_SHARE = 1 / 3


def oversampled(labelled: np.ndarray, share: float = LABELLED_SHARE) -> np.ndarray:
    """Row indices: every window once, plus the labelled ones repeated until they make
    about ``share`` of all rows (none repeated when they already do, or there are none)."""
    n, n_lab = len(labelled), int(labelled.sum())
    everyone = np.arange(n)
    if n_lab == 0 or n_lab >= share * n:
        return everyone
    # n_lab * (1 + r) = share * (n + n_lab * r)  ->  r extra copies of each labelled window
    repeats = int(round((share * n - n_lab) / ((1 - share) * n_lab)))
    return np.concatenate([everyone, np.tile(np.flatnonzero(labelled), repeats)])


def labelled_windows(row_start: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """(n,) bool: a fixed pseudo-random ``fraction`` of windows, by a splitmix64 hash of
    (first row, seed)."""
    z = np.asarray(row_start, dtype=np.uint64) + np.uint64(seed * 0x9E3779B97F4A7C15 % 2**64)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return (z >> np.uint64(11)).astype(np.float64) / 2.0**53 < fraction


@keras.saving.register_keras_serializable(package="tsvae")
class VAEClassifier(HeadVAE):
    extra_logs = ("classifier_loss", "classifier_accuracy")

    def __init__(self, encoder, decoder, head, labelled_fraction: float = 0.1,
                 seed: int = 0, **kwargs):
        super().__init__(encoder, decoder, head, **kwargs)
        self.labelled_fraction, self.seed = float(labelled_fraction), int(seed)

    def validation_data(self, x, labels, row_start):
        labelled = labelled_windows(row_start, self.labelled_fraction, self.seed) & (labels >= 0)
        return x, {"window": x, "label": labels.astype(np.int32),
                   "labelled": labelled.astype(np.float32)}

    def training_data(self, x, labels, row_start):
        x, y = self.validation_data(x, labels, row_start)
        rows = oversampled(y["labelled"] > 0)
        return x[rows], {k: v[rows] for k, v in y.items()}

    def head_loss(self, y, logits, training):
        label = ops.cast(y["label"], "int32")
        known = ops.cast(label >= 0, "float32")
        mask = known * ops.cast(y["labelled"], "float32") if training else known
        safe = ops.maximum(label, 0)
        ce = keras.losses.sparse_categorical_crossentropy(safe, logits, from_logits=True)  # (batch,)
        loss = ops.sum(ce * mask) / ops.maximum(ops.sum(mask), 1.0)
        correct = ops.cast(ops.equal(ops.cast(ops.argmax(logits, axis=-1), "int32"), safe), "float32")
        return loss, {"classifier_loss": loss, "classifier_accuracy": (correct, mask)}

    def epoch_extras(self, x, labels, row_start) -> dict:
        n = self.head.output_shape[-1]
        pred = self.head_predict(x).argmax(axis=-1)
        keep = labels >= 0
        confusion = np.zeros((n, n), dtype=np.int64)                  # rows: true, columns: predicted
        np.add.at(confusion, (labels[keep], pred[keep]), 1)
        return {**super().epoch_extras(x, labels, row_start), "confusion_matrix": confusion}

    def settings(self) -> dict:
        return {**super().settings(), "labelled_fraction": self.labelled_fraction,
                "seed": self.seed}


def build(data: DataConfig, model: ModelConfig) -> VAEClassifier:
    return VAEClassifier(*parts(data, model, data.n_patterns), beta=model.beta,
                         head_weight=model.head_weight, labelled_fraction=model.labelled_fraction,
                         seed=data.seed, name="vae_classifier")
