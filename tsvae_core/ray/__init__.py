"""Runs on a Ray cluster (the optional ``tsvae[ray]`` extra; importing this package, or
any module in it, imports no Ray and no Keras until a run needs them):

- ``cluster``: which cluster (``TSVAE_RAY``), the one ``connect`` for tabs and sweeps,
  the actor class, Ray's death messages made short.
- ``actor``: ``SessionActor``, a ``TrainingSession`` in a Ray worker, and its long poll.
- ``run_proxy``: ``RemoteSession``, a tab's run on the server side: a ``Session``.
- ``trial``: ``RemoteTrial``, a sweep's trial on the server side: a ``Run``; ``DataFiles``,
  a sweep's data file sent once.
"""
