"""The sparse autoencoder (``tsvae_core.models.sparse``)."""
from ..families import FamilySpec, FamilyView, register
from .vae import BODY

register(FamilySpec(
    "sparse_ae", "tsvae_core.models.sparse:build", rank=22,
    doc="L1 activity or KL sparsity target on the code: few active units per window",
    fields=("sparsity", "sparsity_weight", "sparsity_target", *BODY),
    views=(FamilyView("mean_activation", "Mean activation per code unit", "mean_activation",
                      kind="mean_activation"),),
    logs={"sparsity_penalty": "sparsity penalty"}, cost_ratio=0.33 / 3.26))
