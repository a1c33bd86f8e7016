"""Optimizer by name, from TrainConfig."""
from __future__ import annotations

import keras

from .config import TrainConfig


def make_optimizer(train: TrainConfig) -> keras.optimizers.Optimizer:
    lr = train.learning_rate
    makers = {
        "adamw": lambda: keras.optimizers.AdamW(learning_rate=lr),
        "adam": lambda: keras.optimizers.Adam(learning_rate=lr),
        "nadam": lambda: keras.optimizers.Nadam(learning_rate=lr),
        "rmsprop": lambda: keras.optimizers.RMSprop(learning_rate=lr),
        "sgd": lambda: keras.optimizers.SGD(learning_rate=lr, momentum=train.momentum),
        "adagrad": lambda: keras.optimizers.Adagrad(learning_rate=lr),
    }
    if train.optimizer not in makers:
        raise ValueError(f"TrainConfig.optimizer={train.optimizer!r}: allowed: {', '.join(makers)}")
    return makers[train.optimizer]()
