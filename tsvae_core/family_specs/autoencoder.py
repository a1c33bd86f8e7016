"""The deterministic autoencoder (``tsvae_core.models.autoencoder``)."""
from ..families import FamilySpec, register
from .vae import BODY

register(FamilySpec(
    "autoencoder", "tsvae_core.models.autoencoder:build", rank=20,
    doc="a deterministic bottleneck, no KL: what the KL term changes",
    fields=BODY, cost_ratio=0.35 / 3.26))
