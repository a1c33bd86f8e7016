"""One text codec (tsvae_core.fields) for the command line, links and sweep ranges: the
same text means the same value, or the same refusal, wherever it is typed."""
import subprocess
import sys

import pytest

from app.tab.requested_settings import coerce
from tsvae_core.sweep.space import parse_range

NOT_PLAIN = ["1_0", "٣", "１０"]  # an underscore, Arabic-Indic and fullwidth digits


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_a_number_not_in_plain_ascii_is_refused_everywhere(text):
    with pytest.raises(ValueError, match="latent_dim"):
        coerce("latent_dim", text)  # a link
    with pytest.raises(ValueError, match="latent_dim: low and high must be numbers"):
        parse_range("latent_dim", f"{text}:16")  # a sweep range (float() read these)
    cli = subprocess.run([sys.executable, "-m", "tsvae_core.cli", "--latent-dim", text],
                         capture_output=True, text=True)
    assert cli.returncode == 2 and "--latent-dim" in cli.stderr \
        and "allowed range: an integer" in cli.stderr, cli.stderr


def test_plain_text_reads_the_same_everywhere():
    assert coerce("latent_dim", "10") == 10
    assert coerce("learning_rate", "1e-3") == 0.001
    assert coerce("time_bypass", "Yes") is True
    r = parse_range("learning_rate", "1e-4:1e-2:log")
    assert (r.low, r.high, r.log) == (1e-4, 1e-2, True)
    assert parse_range("time_bypass", "true,false").choices == [True, False]
