"""Writing output files so that no failure costs a good file.

- ``output_problem``: whether a path can be written, checked before a run trains (a run
  of hours must not end in a write that was bound to fail). It creates and removes a
  file in the target's folder: permission bits say nothing about /proc or a read-only
  mount, and root passes every ``os.access`` test.
- ``replacing``: every write goes to a temporary file in the target's own folder and is
  moved over the target with ``os.replace`` (atomic on one file system), so a write
  that fails half way (a full disk, an exception while Keras serialises) leaves the
  old file whole.
- ``save_run_model``: a run's model goes to its path only when the run did not fail; a
  failed run (a NaN loss, a crash) writes its last finite epoch's weights under a name
  that says so (``m.last-finite.keras``), or nothing, and says which.

Plain Python; no Keras import here (``save_run_model`` calls the session's own ``save``).
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

#: Inserted before the suffix of a failed run's model file: ``m.keras`` -> ``m.last-finite.keras``.
LAST_FINITE = "last-finite"
#: Inserted before the suffix of a failed run's other outputs: ``h.csv`` -> ``h.failed.csv``.
FAILED = "failed"


def marked_path(path, mark: str) -> str:
    """``path`` with ``.mark`` before its last suffix (``m.keras`` -> ``m.mark.keras``)."""
    p = Path(path)
    return str(p.with_name(f"{p.stem}.{mark}{p.suffix}"))


def output_problem(flag: str, path) -> str:
    """Why ``path`` cannot be written as ``flag``'s output ('' when it can, or is unset):
    it is a directory, its folder is missing, or a file cannot be created in the folder."""
    if not path:
        return ""
    target = os.path.abspath(path)
    parent = os.path.dirname(target)
    if os.path.isdir(target):
        return f"{flag} {path}: is a directory; give a file name"
    if not os.path.isdir(parent):
        return f"{flag} {path}: directory {parent} does not exist"
    if os.path.exists(target) and not os.access(target, os.W_OK):
        return f"{flag} {path}: the file exists and is not writable"
    try:  # the write itself goes through a temporary file there: try making one
        fd, probe = tempfile.mkstemp(dir=parent, prefix=".tsvae-write-check-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return f"{flag} {path}: cannot create a file in {parent}: {exc.strerror or exc}"
    return ""


@contextlib.contextmanager
def replacing(path):
    """Yield a temporary path in ``path``'s folder (same suffix, so Keras accepts a
    ``.keras`` one); when the block ends without an exception, move it over ``path``
    atomically; otherwise remove it and leave ``path`` as it was."""
    target = os.path.abspath(path)
    folder, name = os.path.split(target)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=Path(name).suffix or ".tmp")
    os.close(fd)
    try:
        yield tmp
        # mkstemp makes the file private (0600): give it the mode the old file had, or the
        # one a plain open() would have given
        os.chmod(tmp, os.stat(target).st_mode & 0o7777 if os.path.exists(target)
                 else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    """The process's umask, read without setting it (os.umask would change it for every
    thread for a moment); 0o022 where /proc does not say."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def write_text(path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and an atomic rename."""
    with replacing(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)


def write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    with replacing(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)


def save_run_model(session, path) -> tuple[str | None, str]:
    """Save an ended run's model: to ``path`` unless the run failed; a failed run's last
    finite epoch goes to ``marked_path(path, LAST_FINITE)``. ``session.save`` refuses
    weights that are not all finite, so a failed run with no finite epoch writes nothing.
    Returns (the path written or None, a sentence saying what happened)."""
    failed = session.status == "failed"
    target = marked_path(path, LAST_FINITE) if failed else str(path)
    try:
        session.save(target)
    except (RuntimeError, ValueError) as exc:
        kept = f"; {path} left as it was" if os.path.exists(path) else ""
        why = "the run failed with no finite epoch" if failed else "model not written"
        return None, f"{why}: nothing written ({exc}){kept}"
    epoch = getattr(session, "snapshot_epoch", None)
    of_epoch = f" (epoch {epoch})" if epoch else ""
    if failed:
        return target, (f"the run failed: its last finite weights{of_epoch} written to "
                        f"{target}; {path} not written")
    return target, f"model written to {target}"
