"""Initial settings from the environment and the URL; the CLI's panel serve command."""
from __future__ import annotations

import pytest

from app.server import cli
from app.tab.requested_settings import initial_configs
from tsvae_core.config import PRESETS


def test_url_arguments_override_environment_and_preset():
    env = {"TSVAE_DEFAULT_OVERRIDES": '{"n_patterns": 3, "epochs": 7}'}
    args = {"n_patterns": [b"4"], "time_bypass": [b"true"], "learning_rate": [b"0.01"]}
    preset, (data, model, train), problem = initial_configs(args, env)
    assert preset == "quick" and problem == ""
    assert (data.n_patterns, model.time_bypass, train.epochs, train.learning_rate) == (
        4, True, 7, 0.01)


def test_preset_from_url():
    preset, (data, _, _), _ = initial_configs({"preset": [b"paper"]}, {})
    assert preset == "paper" and data.n_patterns == 30


def test_every_preset_name_works_in_the_url_the_environment_and_the_cli():
    from tsvae_core.cli import build_parser
    for name in PRESETS:                 # paper-stable: a hyphen in a name
        preset, (_, model, _), problem = initial_configs({"preset": [name.encode()]}, {})
        assert (preset, problem) == (name, "")
        assert initial_configs({}, {"TSVAE_PRESET": name})[0] == name
        assert build_parser().parse_args(["--preset", name]).preset == name
    _, (_, model, _), _ = initial_configs({"preset": [b"paper-stable"]}, {})
    assert (model.attention_gate, model.batchnorm_stats) == ("residual", "batch")


@pytest.mark.parametrize("args, fragment", [
    ({"nonsense": [b"1"]}, "unknown field 'nonsense'"),
    # (dense_vae, the good fields' family, takes any length: issue 23)
    ({"seq_len": [b"18"], "architecture": [b"conv_vae"]}, "seq_len=18: ModelConfig.scale_steps=2"),
    ({"time_bypass": [b"maybe"]}, "time_bypass=maybe: expected true or false; kept False"),
    ({"preset": [b"huge"]}, "preset='huge'"),
    ({"latent_dim": [b"999"]}, "latent_dim=999: allowed range: an integer in 1..64; kept 2"),
    ({"latent_dim": [b"2.5"]}, "latent_dim=2.5: allowed range: an integer in 1..64"),
    ({"learning_rate": [b"fast"]}, "learning_rate=fast: allowed range: a number in 1e-08"),
    ({"learning_rate": [b"-1"]}, "learning_rate=-1: allowed range"),
    ({"architecture": [b"gan"]}, "architecture=gan: allowed: conv_attention_gru"),
    ({"time_wavelengths": [b"[1,"]}, "time_wavelengths=[1,: allowed: a list of 1..8"),
    ({"time_wavelengths": [b'["a"]']}, "time_wavelengths=[\"a\"]: allowed: a list"),
])
def test_a_bad_field_is_reported_by_name_and_the_good_ones_still_apply(args, fragment):
    good = {"n_patterns": [b"4"], "epochs": [b"9"], "architecture": [b"dense_vae"]}
    if "architecture" in args:
        del good["architecture"]
    preset, (data, model, train), problem = initial_configs({**good, **args}, {})
    assert preset == "quick"
    assert fragment in problem, problem
    assert problem.startswith("Ignored requested settings: ")
    assert (data.n_patterns, train.epochs) == (4, 9)  # the good fields of the link
    name = next(iter(args))
    if name in PRESETS["quick"]:  # the bad one keeps the preset's value
        assert getattr(data if name in data.param else model if name in model.param
                       else train, name) == PRESETS["quick"][name]


def test_fields_that_fit_only_together_apply_together():
    # scale_steps=6 alone breaks seq_len 32; with seq_len 64 it fits, in either order
    for args in ({"scale_steps": [b"6"], "seq_len": [b"64"]},
                 {"seq_len": [b"64"], "scale_steps": [b"6"]}):
        _, (data, model, _), problem = initial_configs(args, {})
        assert (data.seq_len, model.scale_steps, problem) == (64, 6, "")


def test_a_bad_environment_is_reported_not_raised():
    preset, (data, _, _), problem = initial_configs(
        {"n_patterns": [b"4"]}, {"TSVAE_DEFAULT_OVERRIDES": "[1]", "TSVAE_PRESET": "x"})
    assert preset == "quick" and data.n_patterns == 4
    assert "TSVAE_DEFAULT_OVERRIDES" in problem and "TSVAE_PRESET" in problem


def test_resolve_checks_typed_values_as_json_and_panel_give_them():
    from app.tab.requested_settings import resolve
    from tsvae_core.config import make_configs
    configs = make_configs("quick")
    accepted, problems = resolve(configs, [("latent_dim", 3), ("learning_rate", 1), ("beta", True),
                                           ("time_bypass", True), ("epochs", 5.0),
                                           ("time_wavelengths", [1, 2.0])])
    assert accepted == {"latent_dim": 3, "learning_rate": 1.0, "time_bypass": True, "epochs": 5,
                        "time_wavelengths": [1, 2.0]}
    assert problems == ["beta=true: allowed range: a number in 0.0..100.0; kept 0.01"]
    assert configs[1].latent_dim == 2  # resolve works on copies


def test_cli_builds_the_panel_serve_command(monkeypatch):
    monkeypatch.setenv(cli.ORIGIN_ENV, "example.org:5006, other:80")
    args, extra = cli.parse_args(["--port", "6000", "--debug-endpoint", "--", "--num-procs", "1"])
    argv = cli.serve_argv(args, extra)
    assert argv[:3] == ["panel", "serve", str(cli.APP)]
    assert argv[argv.index("--port") + 1] == "6000"
    assert argv[argv.index("--address") + 1] == "localhost"
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "--allow-websocket-origin"] == [
        "example.org:5006", "other:80"]
    assert "app.server.debug_routes" in argv and argv[-2:] == ["--num-procs", "1"]
    assert "--show" not in argv


def test_cli_debug_token_only_guards_the_debug_routes(capsys):
    args, _ = cli.parse_args(["--debug-endpoint", "--debug-token", "t0k"])
    assert args.debug_token == "t0k"
    with pytest.raises(SystemExit):
        cli.parse_args(["--debug-token", "t0k"])
    assert "only with --debug-endpoint" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.parse_args(["--debug-endpoint", "--debug-token", " "])
    assert "must not be empty" in capsys.readouterr().err


def test_cli_rejects_a_zero_run_limit():
    with pytest.raises(SystemExit):
        cli.parse_args(["--max-runs", "0"])


def test_family_fields_show_only_for_their_family():
    import panel as pn

    from app.cards.settings import show_family_fields
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
