"""Tiny configurations shared by the core tests: seconds per epoch on 2 CPU cores."""
from tsvae_core.config import make_configs

# Three patterns, no noise: easy to tell apart, so k-NN accuracy must beat chance (1/3).
# beta 0.01: with beta 1 such short windows collapse the posterior (measured: k-NN 0.33).
TINY = dict(n_patterns=3, repeats=30, seq_len=16, n_features=2, noise_size=0,
            scale_steps=2, conv_filters=8, num_heads=2, key_dim=4,
            batch_size=32, learning_rate=3e-3, beta=0.01, epochs=4, seed=7,
            jit_compile="off")  # XLA compiles cost more than these runs; one test keeps "auto"


def tiny_configs(**overrides):
    return make_configs("quick", **{**TINY, **overrides})
