"""What the server holds for every tab, and how it is served:

- ``cli``: the ``tsvae`` command, ``panel serve`` with sensible defaults.
- ``runs``: the server-wide registry of runs (the cap on concurrent trainings).
- ``data_files``: which files a page may read as data (its uploads, ``TSVAE_DATA_DIRS``).
- ``debug_routes`` and ``debug_access``: the ``/debug/*`` routes and who they answer.
- ``stranded``: messages Panel queued for a page and forgot to send, sent after all.
"""
