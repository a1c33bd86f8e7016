"""The built-in families' specs, one module per model module of ``tsvae_core.models``.

Each module calls ``tsvae_core.families.register`` when imported; ``load_all`` imports
every module of this package, so a new family's spec module needs no line elsewhere.
Plain data: no Keras here.
"""
from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        importlib.import_module(f"{__name__}.{info.name}")
