"""The built-in families' specs, one module per model module of ``tsvae_core.models``.

Each module calls ``tsvae_core.families.register`` when imported; importing this package
imports every module in it, so a new family's spec module needs no line elsewhere.
``tsvae_core.config`` imports it (the configuration offers the registered families), so
the built-in families are registered whenever ``tsvae_core`` is imported.
Plain data: no Keras here.
"""
from __future__ import annotations

import importlib
import pkgutil


for _info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
    importlib.import_module(f"{__name__}.{_info.name}")
