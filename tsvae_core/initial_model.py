"""Continuing a run: the weights of a saved ``.keras`` file (or of a model) to start from,
checked against the settings when the file is given, so a mismatch is reported at load,
not at Start.

The check is one: window shape, architecture, latent size, then each layer's kind and
each weight's shape against a model built from the settings (filters, units, backbone,
time_bypass, attention_gate... all show there).
"""
from __future__ import annotations

import os

import keras
import numpy as np

from .config import DataConfig, ModelConfig
from .models import BUILD_LOCK, build_model


def load_initial(source, data: DataConfig, model_cfg: ModelConfig
                 ) -> tuple[list[np.ndarray], keras.Model | None]:
    """(weights, model): the weights of ``source`` (a ``.keras`` path or a model) after
    checking it fits the configs (ValueError naming what differs), and the model itself
    when it was loaded from a path (it is the caller's alone: the session's snapshot)."""
    loaded = isinstance(source, (str, os.PathLike))
    if loaded:
        source = keras.saving.load_model(source, compile=False)
    check_fits(source, data, model_cfg)
    return [np.array(w) for w in source.get_weights()], source if loaded else None


def check_fits(source: keras.Model, data: DataConfig, model_cfg: ModelConfig) -> None:
    """ValueError unless a model built from the configs has ``source``'s weights."""
    expected = (data.seq_len, data.n_features + 1)
    got = tuple(source.encoder.input_shape[1:])
    if got != expected:
        raise ValueError(f"initial_model takes windows of (seq_len, channels) = {got}, but "
                         f"DataConfig gives seq_len={data.seq_len}, n_features="
                         f"{data.n_features} -> {expected}; allowed: the same shape")
    arch = model_cfg.architecture
    if source.name != arch:
        raise ValueError(f"ModelConfig.architecture={arch!r}: the initial model is a "
                         f"{source.name!r}; allowed: {source.name!r}")
    width = int(source.encoder.outputs[0].shape[-1])
    if width != model_cfg.latent_dim:
        raise ValueError(f"ModelConfig.latent_dim={model_cfg.latent_dim}: the initial "
                         f"model's latent size is {width}; allowed: {width}")
    with BUILD_LOCK:
        probe = build_model(data, model_cfg)
        probe.build((None, data.seq_len, data.n_features + 1))
    kinds, their_kinds = _layer_kinds(probe), _layer_kinds(source)
    for name, kind in kinds.items():  # same shapes, other layers (e.g. attention_gate)
        if their_kinds.get(name, kind) != kind:
            raise ValueError(f"initial_model does not fit this ModelConfig: layer {name} is "
                             f"a {their_kinds[name]} in the file, a {kind} with these "
                             f"settings; allowed: the model settings the file was trained "
                             f"with")
    mine = [tuple(w.shape) for w in probe.weights]
    theirs = [tuple(w.shape) for w in source.weights]
    if mine != theirs:
        at = next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b), None)
        where = (f"weight {at} ({probe.weights[at].path}) is {theirs[at]} in the file, "
                 f"{mine[at]} with these settings" if at is not None
                 else f"{len(theirs)} weights in the file, {len(mine)} with these settings")
        raise ValueError(f"initial_model does not fit this ModelConfig: {where}; allowed: "
                         f"the model settings the file was trained with")


def _layer_kinds(model) -> dict[str, str]:
    """'submodel/layer' -> layer class name, for every layer of the model's sub-models."""
    return {f"{sub}/{layer.name}": type(layer).__name__
            for sub in getattr(model, "submodels", ())
            for layer in getattr(getattr(model, sub, None), "layers", [])}
