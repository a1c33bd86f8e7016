"""Model registry: architecture name -> builder(data_cfg, model_cfg) -> keras.Model.

A family registers here explicitly; the training session only looks names up.
"""
from __future__ import annotations

from . import conv_attention_gru

REGISTRY = {
    "conv_attention_gru": conv_attention_gru.build,
}


def build_model(data, model):
    try:
        builder = REGISTRY[model.architecture]
    except KeyError:
        raise ValueError(f"ModelConfig.architecture={model.architecture!r}: "
                         f"allowed: {', '.join(sorted(REGISTRY))}") from None
    return builder(data, model)
