"""Messages Panel queued for a page and then forgot to send, sent after all.

Panel (1.9) writes a server-side change straight to the page's websocket, unless a write
is already going on; then it queues the message (``panel.io.document._WRITE_MSGS``),
marks the document blocked (``_WRITE_BLOCK``) and schedules a writer task. A writer that
finishes its own slow write in the same event-loop turn in which another message is
queued clears the block and returns; the writer scheduled for the new message then finds
no block and returns without sending it. The message stays queued until some later
change of the same page is queued - for a paused or stopped run, never: the page kept
showing epoch 1 while the run was paused at epoch 2, and a download button stayed
disabled after its model was ready (both seen under load; tests/app/test_stranded.py
replays the interleaving).

Each tab's periodic poll calls ``resend_stranded`` first: a queue left without a writer
gets one (Panel's own, so the messages keep their order), within one poll period.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def resend_stranded(doc) -> bool:
    """Schedule Panel's writer for ``doc``'s queued messages if none is scheduled; True
    when it did. Does nothing when Panel has no such queue (another version)."""
    from panel.io import document as pdoc
    queued = getattr(pdoc, "_WRITE_MSGS", None)
    blocked = getattr(pdoc, "_WRITE_BLOCK", None)
    schedule = getattr(pdoc, "_dispatch_write_task", None)
    writer = getattr(pdoc, "_dispatch_msgs", None)
    if None in (queued, blocked, schedule, writer) or doc is None:
        return False
    if not queued.get(doc) or doc in blocked:
        return False
    n = sum(len(m) for m in queued[doc].values())
    log.info("resending %d message(s) Panel left queued for a page", n)
    blocked[doc] = True
    schedule(doc, writer, doc)
    return True
