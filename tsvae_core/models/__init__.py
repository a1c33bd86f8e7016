"""The model classes of every family, and ``build_model``.

Which families exist, and how each is built, is ``tsvae_core.families``' registry (each
family's spec in ``tsvae_core/family_specs/``); importing this package imports every
family's model module, so Keras knows all their classes when it loads a saved model.
"""
from __future__ import annotations

import importlib
import threading

from .. import families

for _module in families.model_modules():
    importlib.import_module(_module)

#: Keras seeds are process-global: builds of concurrent sessions take turns (hold it
#: around seeding and building).
BUILD_LOCK = threading.Lock()


def build_model(data, model):
    """The model of ``model.architecture``'s family; ValueError naming the known ones."""
    built = families.get(model.architecture).build(data, model)
    built.loss_reduction = model.loss_reduction
    return built
