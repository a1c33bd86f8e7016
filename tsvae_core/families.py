"""Model families: one ``FamilySpec`` per family, and the registry every table about the
families is read from.

A family is two files: its model module in ``tsvae_core/models/`` (Keras) and its spec
module in ``tsvae_core/family_specs/`` (no Keras), which calls ``register``. The spec says
everything the rest of the program needs to know about the family: how to build it, the
config fields it uses (and any it adds), the views it sends after each epoch, the labels
of its own log entries, its metric for a sweep's ``family`` objective, its cost per epoch
and what it is for. The configuration's ``architecture`` choices, the sidebar's family
fields, the CLI flags, the sweep space, the page's history columns and family views and
the epoch estimate all ask this module, so none of them names a family.

Specs are plain data, so this module and the spec modules import no Keras: the command
line answers ``--help`` and a bad flag before TensorFlow starts. The builder is a
``"module:function"`` text, imported when a model is first built (or a callable, as a
test's toy family passes).
"""
from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass, field
from typing import Callable, Mapping

import param

#: The architecture a fresh ModelConfig has: the original demo's model.
DEFAULT = "conv_attention_gru"
#: The metric of the ``family`` objective for a family that names none: reconstruction.
FALLBACK_OBJECTIVE = ("val_reconstruction_loss", "minimize")


@dataclass(frozen=True)
class FamilyView:
    """One of a family's own views, marked by an ``EpochEnd.extras`` key.

    ``kind`` says how the page draws it (the app keeps one drawer per kind, not per
    family): the kinds of the built-in views, or ``"bars"`` for any per-index vector.
    Two families that send the same key share the same view.
    """
    key: str      # the EpochEnd.extras entry whose presence marks the view
    title: str    # what it shows: the start of its plot's title
    column: str   # the Bokeh column it draws (the browser tests look for it)
    kind: str = "bars"


@dataclass(frozen=True)
class FamilySpec:
    """Everything about one model family that lives outside its model class."""
    name: str                      # the ``architecture`` value
    builder: str | Callable        # "module:function" or builder(data_cfg, model_cfg) -> model
    doc: str                       # one line: what it teaches (the architecture's help)
    #: ModelConfig fields it uses beyond those every family shares (activation,
    #: output_activation, latent_dim, time_bypass, loss_reduction)
    fields: tuple[str, ...] = ()
    #: fields only this family has: name -> param.Parameter, added to ModelConfig when
    #: the spec is registered (so its widget, flag and sweep range come with it)
    params: Mapping[str, param.Parameter] = field(default_factory=dict)
    views: tuple[FamilyView, ...] = ()
    #: its own log entries (train and val_) -> the label of their curves
    logs: Mapping[str, str] = field(default_factory=dict)
    #: (validation log key, direction) that a sweep's ``family`` objective reads
    objective: tuple[str, str] | None = None
    #: epoch time / conv_attention_gru's on the quick preset (docs/benchmarks.md); the
    #: epoch estimate's figure before the family has run on a server
    cost_ratio: float = 1.0
    #: its encoder halves the window ``scale_steps`` times (strided convolutions), so
    #: seq_len must divide by 2**scale_steps; a ``backbone=conv`` body does so too
    strided: bool = False
    #: position in the architecture menu (lower first; ties in registration order)
    rank: int = 100

    def own_fields(self) -> list[str]:
        """The ModelConfig fields this family uses beyond the shared ones."""
        return [*self.params, *(n for n in self.fields if n not in self.params)]

    def build(self, data, model):
        builder = self.builder
        if isinstance(builder, str):
            module, _, name = builder.partition(":")
            builder = getattr(importlib.import_module(module), name)
        return builder(data, model)

    def model_module(self) -> str | None:
        """The module holding the family's model classes (imported before loading a
        saved model, so Keras knows them), or None for a callable builder."""
        if isinstance(self.builder, str):
            return self.builder.partition(":")[0]
        return getattr(self.builder, "__module__", None)


_lock = threading.RLock()
_specs: dict[str, FamilySpec] = {}
_listeners: list[Callable[[FamilySpec], None]] = []


def register(spec: FamilySpec) -> FamilySpec:
    """Add a family; ValueError if its name, a view key or a log key clashes with what
    another family says differently. Listeners (the configuration) adopt it at once."""
    with _lock:
        if spec.name in _specs:
            raise ValueError(f"family {spec.name!r} is registered already")
        known_views, known_logs = views(), log_labels()
        for v in spec.views:
            if v.key in known_views and known_views[v.key] != v:
                raise ValueError(f"family {spec.name!r}: view {v.key!r} differs from the "
                                 f"registered {known_views[v.key]}")
        for key, label in spec.logs.items():
            if known_logs.get(key, label) != label:
                raise ValueError(f"family {spec.name!r}: log {key!r} is labelled "
                                 f"{known_logs[key]!r} by another family")
        _specs[spec.name] = spec
        for listener in list(_listeners):
            listener(spec)
    return spec


def on_register(listener: Callable[[FamilySpec], None]) -> None:
    """Call ``listener(spec)`` for every family registered so far and every later one."""
    with _lock:
        _listeners.append(listener)
        for spec in list(_specs.values()):
            listener(spec)


def specs() -> list[FamilySpec]:
    """Every registered family, in menu order."""
    with _lock:
        ordered = list(_specs.values())
    return sorted(ordered, key=lambda s: s.rank)  # stable: ties keep registration order


def names() -> list[str]:
    """The ``architecture`` choices, in menu order."""
    return [s.name for s in specs()]


def get(name: str) -> FamilySpec:
    """The spec of ``name``; ValueError naming the known families otherwise."""
    try:
        return _specs[name]
    except KeyError:
        raise ValueError(f"ModelConfig.architecture={name!r}: allowed: "
                         f"{', '.join(sorted(_specs))}") from None


# ---- the former tables, read from the registry ----
def family_fields() -> dict[str, list[str]]:
    """Architecture -> the ModelConfig fields it uses beyond the shared ones; a field
    named in no list applies to every family."""
    return {s.name: s.own_fields() for s in specs()}


def fields_of(name: str) -> list[str]:
    return get(name).own_fields() if name in names() else []


def views() -> dict[str, FamilyView]:
    """extras key -> its view, over every family (shared views once)."""
    out: dict[str, FamilyView] = {}
    for s in specs():
        for v in s.views:
            out.setdefault(v.key, v)
    return out


def log_labels() -> dict[str, str]:
    """Every family's own log keys (without ``val_``) -> the label of their curves."""
    out: dict[str, str] = {}
    for s in specs():
        for key, label in s.logs.items():
            out.setdefault(key, label)
    return out


def objective(name: str) -> tuple[str, str]:
    """(validation log key, direction) of a sweep's ``family`` objective for ``name``."""
    return get(name).objective or FALLBACK_OBJECTIVE


def cost_ratio(name: str) -> float:
    """Epoch time relative to the default family's (1.0 for an unknown name)."""
    return get(name).cost_ratio if name in names() else 1.0


def model_modules() -> list[str]:
    """The modules of every family's model classes, each once."""
    mods = [s.model_module() for s in specs()]
    return list(dict.fromkeys(m for m in mods if m))
