"""The vector-quantised VAE (``tsvae_core.models.vq_vae``)."""
from ..families import FamilySpec, FamilyView, register

register(FamilySpec(
    "vq_vae", "tsvae_core.models.vq_vae:build", rank=30,
    doc="a codebook (codebook_size, commitment_cost), straight-through quantiser: discrete codes",
    fields=("codebook_size", "commitment_cost", "conv_filters", "scale_steps"),
    views=(FamilyView("codebook_usage", "Codebook usage", "code_count", kind="codebook_usage"),
           FamilyView("pre_quantisation", "Pre-quantisation vectors", "preq_x",
                      kind="pre_quantisation")),
    logs={"codebook_loss": "codebook loss", "commitment_loss": "commitment loss",
          "perplexity": "perplexity"},
    objective=("val_perplexity", "maximize"), cost_ratio=0.54 / 3.26, strided=True))
