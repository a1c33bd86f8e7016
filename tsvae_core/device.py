"""Which device Keras trains on, per backend (TensorFlow GPUs get memory growth), whether
the training step is compiled, and the training thread's share of the CPU."""
from __future__ import annotations

import logging
import os
import threading

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


def lower_thread_priority(nice: int) -> None:
    """Raise this thread's niceness by ``nice`` (Linux; elsewhere nothing). Threads it
    starts afterwards (TensorFlow's pools, when this thread creates them) inherit it."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)
    except OSError as exc:  # not permitted or not per-thread here: train at normal priority
        log.debug("could not lower the training thread's priority: %s", exc)


def resolve_jit(choice: str):
    """jit_compile for Keras: "on"/"off", or "auto" for Keras' own choice (XLA on GPUs
    where the layers allow it, off on CPUs). On a 2-core CPU XLA measured slower for the
    paper model (465 vs 335 ms a step) and faster for the quick preset (2.8 vs 4.3 s an
    epoch) after a ~22 s compile that made quick's first minute slower, so no preset asks
    for it (docs/learning.md); see benchmarks/bench_step.py."""
    if choice == "on" and keras.backend.backend() == "torch":
        return False  # torch.compile is a different tool with long compiles: stay eager
    return {"on": True, "off": False}.get(choice, "auto")
