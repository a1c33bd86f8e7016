"""The contractive autoencoder (``tsvae_core.models.contractive``)."""
import param

from ..families import FamilySpec, register
from .vae import BODY

register(FamilySpec(
    "contractive_ae", "tsvae_core.models.contractive:build", rank=23,
    doc="Frobenius norm of the encoder's Jacobian, weighted: codes insensitive to small changes",
    fields=BODY,
    params={"contractive_weight": param.Number(
        1.0, bounds=(0.0, 100.0), doc="Contractive: weight of the encoder Jacobian's squared "
                                      "Frobenius norm in the loss.")},
    logs={"contractive_penalty": "contractive penalty"}, cost_ratio=1.09 / 3.26))
