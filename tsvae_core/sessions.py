"""Which kind of session holds a run: a Ray actor's proxy when ``TSVAE_RAY`` names a
cluster, else a ``TrainingSession`` in this process. Both classes are imported only when
asked for, so importing this module costs neither Keras nor Ray."""
from __future__ import annotations

from .ray.cluster import ray_address


def make_session(data, model, train, **kwargs):
    """A run of these configs (``TrainingSession``'s arguments)."""
    if ray_address():
        from .ray.run_proxy import RemoteSession as cls
    else:
        from .session.training import TrainingSession as cls
    return cls(data, model, train, **kwargs)
