"""Tiny configurations shared by the core tests: seconds per epoch on 2 CPU cores."""
import sys

from tsvae_core.config import make_configs

# Three patterns, no noise: easy to tell apart, so k-NN accuracy must beat chance (1/3).
# beta 0.01: with beta 1 such short windows collapse the posterior (measured: k-NN 0.33).
TINY = dict(n_patterns=3, repeats=30, seq_len=16, n_features=2, noise_size=0,
            scale_steps=2, conv_filters=8, num_heads=2, key_dim=4,
            batch_size=32, learning_rate=3e-3, beta=0.01, epochs=4, seed=7,
            # relu, the original's: the families' floors were measured with it (quick's
            # elu left vae_regressor's MAE at 0.11 here against relu's 0.04)
            activation="relu",
            jit_compile="off")  # XLA compiles cost more than these runs; one test keeps "auto"
# For tests of the session's controls (pause, step, stop, learning rate...), which any
# family shows alike: dense_vae's first step traces in under a second, the default
# model's in 5-8 s on 2 loaded cores. The default model keeps its own tests.
QUICK_BUILD = dict(architecture="dense_vae")


def tiny_configs(**overrides):
    return make_configs("quick", **{**TINY, **overrides})


def waiting_in_pause(session) -> bool:
    """True while the session's training thread waits for Resume: the batch or epoch that
    was in flight when Pause came has reported, and nothing more can happen until resume()
    or stop(). Read from the thread's stack: blocked in an Event's wait called by
    ``RunControl.wait_if_paused``, with the go flag cleared."""
    thread, go = session._thread, session.control.go
    frame = sys._current_frames().get(thread.ident) if thread is not None else None
    if frame is None or frame.f_code.co_name != "wait" or go.is_set():
        return False
    while frame is not None:
        if frame.f_code.co_name == "wait_if_paused":
            return not go.is_set()
        frame = frame.f_back
    return False
