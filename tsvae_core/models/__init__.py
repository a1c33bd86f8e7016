"""Model registry: architecture name -> builder(data_cfg, model_cfg) -> TimeSeriesAutoencoder.

A family registers here explicitly; the training session only looks names up.
"""
from __future__ import annotations

import threading

from . import (autoencoder, classifier, contractive, conv_attention_gru, denoising, regressor,
               sparse, vae, vq_vae)

REGISTRY = {
    "conv_attention_gru": conv_attention_gru.build,
    "dense_vae": vae.build_dense,
    "conv_vae": vae.build_conv,
    "recurrent_vae": vae.build_recurrent,
    "beta_vae": vae.build_beta,
    "autoencoder": autoencoder.build,
    "denoising_ae": denoising.build,
    "sparse_ae": sparse.build,
    "contractive_ae": contractive.build,
    "vq_vae": vq_vae.build,
    "vae_classifier": classifier.build,
    "vae_regressor": regressor.build,
}

#: Keras seeds are process-global: builds of concurrent sessions take turns (hold it
#: around seeding and building).
BUILD_LOCK = threading.Lock()


def build_model(data, model):
    try:
        builder = REGISTRY[model.architecture]
    except KeyError:
        raise ValueError(f"ModelConfig.architecture={model.architecture!r}: "
                         f"allowed: {', '.join(sorted(REGISTRY))}") from None
    built = builder(data, model)
    built.loss_reduction = model.loss_reduction
    return built
