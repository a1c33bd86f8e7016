"""One training run and what inspects it, in this process (no UI imports; importing the
package loads no Keras):

- ``protocol``: ``Run`` and ``Session``, what a sweep and a tab use of a run, which the
  local session, the Ray run proxy and the Ray sweep trial all provide.
- ``training``: ``TrainingSession``, the data, the model and the thread running ``fit``.
- ``control``: the run's controls, both sides: ``RunControl`` (flags, status, phase and
  event sink; the session's methods ask it) and ``SessionCallback`` (the Keras callback
  that honours it between batches).
- ``snapshot``: the last finished epoch's weights, for inspection from any thread.
- ``epoch_view``: what a model makes of the validation subset after an epoch
  (latent points, reconstructions, metrics, probes, anomaly scores).
"""
