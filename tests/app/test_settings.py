"""Initial settings from the environment and the URL; the CLI's panel serve command."""
from __future__ import annotations

import pytest

from app import cli
from app.settings import initial_configs, requested_settings
from tsvae_core.config import PRESETS


def test_url_arguments_override_environment_and_preset():
    env = {"TSVAE_DEFAULT_OVERRIDES": '{"n_patterns": 3, "epochs": 7}'}
    args = {"n_patterns": [b"4"], "time_bypass": [b"true"], "learning_rate": [b"0.01"]}
    preset, overrides = requested_settings(args, env)
    assert preset == "quick"
    assert overrides == {"n_patterns": 4, "epochs": 7, "time_bypass": True, "learning_rate": 0.01}
    _, (data, model, train), problem = initial_configs(args, env)
    assert (data.n_patterns, model.time_bypass, train.epochs, problem) == (4, True, 7, "")


def test_preset_from_url():
    preset, (data, _, _), _ = initial_configs({"preset": [b"paper"]}, {})
    assert preset == "paper" and data.n_patterns == 30


@pytest.mark.parametrize("args, fragment", [
    ({"nonsense": [b"1"]}, "unknown field 'nonsense'"),
    ({"seq_len": [b"18"]}, "scale_steps"),
    ({"time_bypass": [b"maybe"]}, "expected true or false"),
    ({"preset": [b"huge"]}, "preset='huge'"),
])
def test_bad_requests_fall_back_to_the_default_and_say_why(args, fragment):
    preset, (data, _, _), problem = initial_configs(args, {})
    assert preset == "quick" and data.n_patterns == PRESETS["quick"]["n_patterns"]
    assert fragment in problem


def test_cli_builds_the_panel_serve_command(monkeypatch):
    monkeypatch.setenv(cli.ORIGIN_ENV, "example.org:5006, other:80")
    args, extra = cli.parse_args(["--port", "6000", "--debug-endpoint", "--", "--num-procs", "1"])
    argv = cli.serve_argv(args, extra)
    assert argv[:3] == ["panel", "serve", str(cli.APP)]
    assert argv[argv.index("--port") + 1] == "6000"
    assert argv[argv.index("--address") + 1] == "localhost"
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "--allow-websocket-origin"] == [
        "example.org:5006", "other:80"]
    assert "app.debug_routes" in argv and argv[-2:] == ["--num-procs", "1"]
    assert "--show" not in argv


def test_cli_rejects_a_zero_run_limit():
    with pytest.raises(SystemExit):
        cli.parse_args(["--max-runs", "0"])


def test_family_fields_show_only_for_their_family():
    import panel as pn

    from app.controller import show_family_fields
    from tsvae_core.config import ModelConfig
    model, other_tab = ModelConfig(), ModelConfig(architecture="denoising_ae")
    show_family_fields(model)
    show_family_fields(other_tab)
    pane = pn.Param(model, parameters=["architecture", "noise_level", "codebook_size", "beta"],
                    show_name=False)
    names = lambda: {w.name for w in pane.layout}  # noqa: E731
    assert names() == {"Architecture", "Beta"}          # conv_attention_gru: its own only
    model.architecture = "vq_vae"
    show_family_fields(model)
    assert names() == {"Architecture", "Codebook size"}  # the pane follows live
    assert other_tab.param["noise_level"].precedence != -1  # other tabs untouched
