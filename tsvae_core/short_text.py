"""Text shortened for a message: cut at a word, with an ellipsis, never mid-word.

Messages quote what they cannot bound themselves (a cell of a user's file, a Ray
error's text). A plain slice cut them mid-word ("the worker cra"), which reads as a
different word; this says that something was left out.
"""
from __future__ import annotations

ELLIPSIS = "…"


def shorten(text, limit: int) -> str:
    """``text`` whole if it has at most ``limit`` characters, else its words that fit in
    ``limit - 1`` characters and an ellipsis. A single word longer than half the limit
    is cut inside (still with the ellipsis): nothing else would say anything."""
    text = str(text)
    if len(text) <= limit:
        return text
    head = text[:limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:") + ELLIPSIS
