"""The original demo's model (``tsvae_core.models.conv_attention_gru``)."""
from ..families import DEFAULT, FamilySpec, register
from .vae import KL_VIEW

register(FamilySpec(
    DEFAULT, "tsvae_core.models.conv_attention_gru:build", rank=0,
    doc="the original demo's VAE: conv + attention encoder, GRU decoder",
    fields=("beta", "conv_filters", "num_heads", "key_dim", "attention_gate",
            "batchnorm_stats", "scale_steps", "gru_unroll"),
    views=(KL_VIEW,), cost_ratio=1.0, strided=True))
