"""Run in a fresh process with KERAS_BACKEND set: the tiny training checks, as JSON.

``--families``: then also every family of the registry but the default trains 2 epochs
on a smaller tiny set, one after another in this one process (one process start and
backend import for both checks).
"""
import json
import sys
import time

import keras
import numpy as np

from tests.core.tiny import tiny_configs
from tsvae_core import events as ev
from tsvae_core.session.training import TrainingSession

# tiny.py turns XLA off because TensorFlow compiles outlast these runs. On jax "off" means
# op by op without jit (measured 32-36 s an epoch against well under 1 s jitted), so jax
# keeps Keras' default there.
JIT = "auto" if keras.backend.backend() == "jax" else "off"


def check() -> dict:
    from tsvae_core.data import generate
    from tsvae_core.probes import ProbeConfig, make_probes
    d, m, t = tiny_configs(epochs=4, jit_compile=JIT)
    ds = generate(d)
    s = TrainingSession(d, m, t, dataset=ds)
    s.set_probes(make_probes(d, ProbeConfig(), ds))
    s.start()
    losses, lr_seen, inspected, probe_shapes = [], None, {}, []
    while s.is_alive() or len(losses) < 4:
        for e in s.drain():
            if isinstance(e, ev.EpochEnd):
                losses.append(e.logs["loss"])
                probe_shapes.append(list(e.probe_latent["rolled"].shape))
                if e.epoch == 1:
                    # first, while three epochs remain (set at epoch 2, a fast run had
                    # sometimes finished before the change was made)
                    s.set_learning_rate(2e-3)
                    # inspection from this thread while fit runs in the other
                    z = s.encode(ds.x_val[:3])
                    inspected = {"encoded": list(z.shape), "decoded": list(s.decode(z).shape),
                                 "reconstructed": list(s.reconstruct([0])[1].shape),
                                 "status": s.status}
        if s.status in ev.ENDED and not s.is_alive():
            break
        time.sleep(0.05)
    # After fit the optimizer's variable holds what training used last (on jax the final
    # state sync would overwrite a change that never reached the training state).
    lr_seen = float(np.asarray(s.model.optimizer.learning_rate))
    return {"backend": keras.backend.backend(), "status": s.status,
            "message": s.message, "losses": losses, "lr_final": lr_seen,
            "device": s.device, "inspected": inspected, "probes": probe_shapes}


def families() -> dict:
    from tsvae_core.families import names
    out = {}
    for arch in names():
        if arch == "conv_attention_gru":
            continue
        s = TrainingSession(*tiny_configs(architecture=arch, epochs=2, repeats=12,
                                          jit_compile=JIT))
        s.start()
        s.join(300)
        losses = [e.logs["loss"] for e in s.drain() if isinstance(e, ev.EpochEnd)]
        z = s.encode(s.dataset.x_val[:3]) if s.snapshot_epoch else np.zeros((0,))
        decoded = list(s.decode(z).shape) if arch != "vq_vae" and z.size else []
        out[arch] = {"status": s.status, "message": s.message, "losses": losses,
                     "encoded": list(z.shape),
                     "decoded": decoded}
    return out


if __name__ == "__main__":
    result = check()
    if "--families" in sys.argv:
        result["families"] = families()
    print(json.dumps(result))
