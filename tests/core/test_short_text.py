"""Messages shortened at a word with an ellipsis, never mid-word (issue 22 item 6)."""
from __future__ import annotations

from tsvae_core.ray.cluster import death_message
from tsvae_core.short_text import ELLIPSIS, shorten


def test_short_text_is_whole_long_text_ends_at_a_word_with_an_ellipsis():
    assert shorten("stopped by the user", 40) == "stopped by the user"
    text = "the worker crashed while training epoch 3: the node ran out of memory"
    short = shorten(text, 20)
    assert short == "the worker crashed" + ELLIPSIS and len(short) <= 20
    assert text.startswith(short[:-1])
    assert shorten("x" * 50, 10) == "x" * 9 + ELLIPSIS  # one long word: cut, but marked


def test_a_ray_death_message_is_cut_at_a_word():
    class ActorDiedError(Exception):
        pass
    words = " ".join(f"word{i}" for i in range(200))
    msg = death_message(ActorDiedError(words))
    assert msg.endswith(ELLIPSIS) and len(msg) < 480
    last = msg[:-1].split()[-1]
    assert last in words.split()  # a whole word, not the start of one


def test_a_file_cell_is_quoted_whole_words():
    import pandas as pd
    import pytest
    from tsvae_core.sources.table import _numeric
    cell = "this cell holds a sentence far longer than forty characters"
    with pytest.raises(ValueError) as info:
        _numeric(pd.Series(["1", cell]), "b")
    assert "'this cell holds a sentence far longer…'" in str(info.value)
