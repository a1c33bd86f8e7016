"""The sparse autoencoder (``tsvae_core.models.sparse``)."""
import param

from ..families import FamilySpec, FamilyView, register
from .vae import BODY

register(FamilySpec(
    "sparse_ae", "tsvae_core.models.sparse:build", rank=22,
    doc="L1 activity or KL sparsity target on the code: few active units per window",
    fields=BODY,
    params={
        "sparsity": param.Selector(
            objects=["l1", "kl"], default="l1",
            doc="Sparse: L1 activity penalty on the code, or KL divergence of each unit's "
                "mean activation from sparsity_target."),
        "sparsity_weight": param.Number(
            0.1, bounds=(0.0, 100.0), doc="Sparse: weight of the sparsity penalty in the loss."),
        "sparsity_target": param.Number(
            0.05, bounds=(0.001, 0.999), precedence=0.9,
            doc="Sparse (kl): the mean activation each code unit should have."),
    },
    views=(FamilyView("mean_activation", "Mean activation per code unit", "mean_activation",
                      kind="mean_activation"),),
    logs={"sparsity_penalty": "sparsity penalty"}, cost_ratio=0.33 / 3.26))
