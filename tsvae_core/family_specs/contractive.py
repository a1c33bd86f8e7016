"""The contractive autoencoder (``tsvae_core.models.contractive``)."""
from ..families import FamilySpec, register
from .vae import BODY

register(FamilySpec(
    "contractive_ae", "tsvae_core.models.contractive:build", rank=23,
    doc="Frobenius norm of the encoder's Jacobian, weighted: codes insensitive to small changes",
    fields=("contractive_weight", *BODY),
    logs={"contractive_penalty": "contractive penalty"}, cost_ratio=1.09 / 3.26))
