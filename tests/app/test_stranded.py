"""Panel's queued websocket writes can leave a message unsent (app/server/stranded.py): the
interleaving replayed with Panel's own queue and writer, and a recording connection in
place of the browser's socket (the race needs a write to end in one exact loop turn,
which a real socket under load only sometimes does)."""
from __future__ import annotations

import asyncio
import threading

from bokeh.document import Document
from panel.io import document as pdoc

from app.server.stranded import resend_stranded


class _Protocol:
    @staticmethod
    def create(kind, events):
        return (kind, tuple(events))


class _Connection:
    """Neither a tornado nor a registered socket: Panel sends through dispatch_django."""
    protocol = _Protocol()

    def __init__(self):
        self._socket = object()


def _replay(monkeypatch, resend: bool) -> tuple[list, bool]:
    """A slow first write ends in the loop turn in which a second message is queued.
    Returns what was sent and whether a message was left queued with no writer."""
    sent, left = [], []

    async def scenario():
        slow = asyncio.get_running_loop().create_future()

        def record(conn, msg=None):
            sent.append(msg[1])
            return [slow] if len(sent) == 1 else []

        monkeypatch.setattr(pdoc, "dispatch_django", record)
        doc, conn = Document(), _Connection()
        pdoc.schedule_write_events(doc, [conn], ["epoch 1"])
        await asyncio.sleep(0.05)              # the first writer waits for its write
        slow.set_result(None)                  # the write ends, and in the same turn
        pdoc.schedule_write_events(doc, [conn], ["epoch 2"])  # the next change is queued
        await asyncio.sleep(0.1)
        if resend:                             # the tab's next poll
            resend_stranded(doc)
            await asyncio.sleep(0.1)
        left.append(bool(pdoc._WRITE_MSGS.get(doc)) and doc not in pdoc._WRITE_BLOCK)
        pdoc._WRITE_MSGS.pop(doc, None)
        pdoc._WRITE_BLOCK.pop(doc, None)

    # its own thread and loop: another test may have left this thread's loop running
    worker = threading.Thread(target=lambda: asyncio.run(scenario()))
    worker.start()
    worker.join(30)
    return sent, left[0]


def test_panel_leaves_the_second_message_unsent(monkeypatch):
    # The bug app/server/stranded.py works around. Should a Panel release send the message by
    # itself, this fails: then resend_stranded has nothing to do and may go.
    assert _replay(monkeypatch, resend=False) == ([("epoch 1",)], True)


def test_the_next_poll_sends_it(monkeypatch):
    assert _replay(monkeypatch, resend=True) == ([("epoch 1",), ("epoch 2",)], False)
