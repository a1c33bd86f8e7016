"""Batches for ``fit`` gathered from the one window array, on every backend.

Keras converts numpy inputs into backend tensors (tensorflow: ~320 MB for the paper's
inputs and targets); gathering one shuffled batch at a time copies only that batch. The
session uses it for large window sets only: per batch it costs more Python than Keras'
array pipeline, which wins on small sets such as the quick preset.
"""
from __future__ import annotations

import keras
import numpy as np


def take(struct, idx):
    """Rows ``idx`` of an array, or of every array in a dict/tuple/list; None stays None."""
    if struct is None:
        return None
    if isinstance(struct, dict):
        return {k: take(v, idx) for k, v in struct.items()}
    if isinstance(struct, (tuple, list)):
        return type(struct)(take(v, idx) for v in struct)
    return struct[idx]


class WindowBatches(keras.utils.PyDataset):
    """(inputs, targets) batches; a target that *is* the input array is gathered once."""

    def __init__(self, inputs, targets, batch_size: int, shuffle: bool, seed: int = 0):
        super().__init__()
        self.inputs, self.targets = inputs, targets
        self.batch_size, self.shuffle = batch_size, shuffle
        self.n = len(inputs[next(iter(inputs))] if isinstance(inputs, dict) else inputs)
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(self.n) if shuffle else np.arange(self.n)

    def __len__(self) -> int:
        return -(-self.n // self.batch_size)

    def __getitem__(self, i: int):
        # sorted rows read the array front to back; the batch's content is the same
        idx = np.sort(self.order[i * self.batch_size:(i + 1) * self.batch_size])
        x = take(self.inputs, idx)
        y = x if self.targets is self.inputs else take(self.targets, idx)
        return (x,) if y is None else (x, y)

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self.rng.shuffle(self.order)
