"""Which device Keras trains on, per backend; TensorFlow GPUs get memory growth."""
from __future__ import annotations

import logging

import keras

log = logging.getLogger(__name__)


def describe_device() -> str:
    """"CPU" or the name of the first GPU the active Keras backend will use."""
    backend = keras.backend.backend()
    try:
        if backend == "tensorflow":
            return _tensorflow_device()
        if backend == "jax":
            import jax
            dev = jax.devices()[0]
            return "CPU" if dev.platform == "cpu" else f"GPU: {dev.device_kind}"
        if backend == "torch":
            import torch
            return f"GPU: {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else "CPU"
    except Exception as exc:  # a broken driver must not stop CPU training
        log.warning("could not query the %s device: %s", backend, exc)
    return "CPU"


def _tensorflow_device() -> str:
    import tensorflow as tf
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            # Without growth TF takes all GPU memory at once, which starves a second run.
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:
            pass  # already initialised: growth was set by an earlier call or cannot change
    if not gpus:
        return "CPU"
    details = tf.config.experimental.get_device_details(gpus[0])
    return f"GPU: {details.get('device_name', gpus[0].name)}"
