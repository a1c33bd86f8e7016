"""The rules that span fields of the three configurations (one field's bounds live on the
field itself, in ``config``); each broken rule is a ValueError naming field, value and the
allowed range."""
from __future__ import annotations

import math

from . import families

#: Largest window array a run may build: ten times the paper preset's (189 MB), so one
#: tab's settings cannot exhaust the server's memory (the 24 GB machine serves several).
MAX_WINDOW_BYTES = 2 * 2**30


def _fail(field: str, value, rule: str) -> None:
    raise ValueError(f"{field}={value!r}: {rule}")


def needs_divisible_length(model) -> bool:
    """Whether ``model``'s family halves the window ``scale_steps`` times (strided
    convolutions), so seq_len must divide by 2**scale_steps; dense and recurrent bodies
    take any length."""
    if model.architecture not in families.names():
        return False
    spec = families.get(model.architecture)
    return spec.strided or ("backbone" in spec.own_fields() and model.backbone == "conv")


def window_length_problem(seq_len: int, model) -> str:
    """'' when ``model`` takes windows of ``seq_len`` rows, else why not and the nearest
    lengths (and scale_steps) that work."""
    if not needs_divisible_length(model):
        return ""
    factor = 2 ** model.scale_steps
    if seq_len % factor == 0:
        return ""
    below, above = seq_len - seq_len % factor, seq_len - seq_len % factor + factor
    near = " or ".join(str(n) for n in (below, above) if n >= 8)
    steps = [s for s in range(1, 9) if seq_len % 2**s == 0]
    rng = (f"1..{max(steps)}" if steps else "none (seq_len is odd; the dense and recurrent "
           "bodies take any length: dense_vae, recurrent_vae, or backbone dense)")
    body = (model.architecture if families.get(model.architecture).strided
            else f"{model.architecture} with backbone conv")
    return (f"seq_len {seq_len} must be divisible by 2**scale_steps = {factor} ({body} "
            f"halves the window scale_steps times); allowed scale_steps for this seq_len: "
            f"{rng}; nearest allowed seq_len: {near}")


def validate(data, model, train) -> None:
    """Check the rules that span the fields of a DataConfig, ModelConfig and TrainConfig
    (``config`` imports this module, so it names no class of it); raise ValueError naming
    field, value and range.
    A real-data source's sizes are known once it is read: ``sources.check_dataset``."""
    if model.time_bypass and not data.has_time_channel():
        _fail("ModelConfig.time_bypass", True,
              f"source {data.source} gives windows without a time channel; allowed: false")
    if data.source in ("file", "cmapss") and not data.data_path:
        _fail("DataConfig.data_path", "", f"source {data.source} needs a file path")
    problem = window_length_problem(data.seq_len, model)
    if problem:
        _fail("ModelConfig.scale_steps", model.scale_steps, problem)
    if not data.time_wavelengths or any(not (math.isfinite(w) and w > 0)
                                        for w in data.time_wavelengths):
        _fail("DataConfig.time_wavelengths", data.time_wavelengths,
              "needs 1 to 8 wavelengths, each a finite number > 0")
    if not data.is_synthetic():
        return
    size = data.window_bytes()
    if size > MAX_WINDOW_BYTES:
        _fail("DataConfig.repeats", data.repeats,
              f"the windows would take {size / 2**30:.1f} GiB (n_windows {data.n_windows()} x "
              f"seq_len {data.seq_len} x {data.n_features + 1} channels x 4 bytes); allowed: "
              f"at most {MAX_WINDOW_BYTES / 2**30:.0f} GiB, so lower repeats, n_patterns, "
              f"noise_size, seq_len or n_features")
    if data.n_windows() < 2:
        _fail("DataConfig.repeats", data.repeats,
              f"the series needs at least seq_len + 1 = {data.seq_len + 1} rows and has "
              f"{data.n_rows()}; raise repeats, n_patterns or noise_size")
    n_train = data.n_train()
    n_val = data.n_windows() - n_train
    if n_train < 1 or n_val < 1:
        _fail("DataConfig.val_fraction", data.val_fraction,
              f"leaves {n_train} training and {n_val} validation windows; both need at least 1")
    if train.batch_size > n_train:
        _fail("TrainConfig.batch_size", train.batch_size,
              f"must be at most the training set size, 1..{n_train}")
