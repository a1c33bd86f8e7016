"""The query string follows the widgets; values arriving through it are checked."""
from __future__ import annotations

import param
from panel.io.location import Location

from app.tab.controller import Controller
from app.server.runs import RunRegistry
from app.tab.url_sync import sync_url
from tsvae_core.config import FIELDS, DataConfig

#: Text fields left empty (no file named): Panel's Location leaves empty values out of the
#: address, and the default (empty) is what a link without them means.
EMPTY_TEXT = {n for n in FIELDS if n in DataConfig.param
              and isinstance(DataConfig.param[n], param.String)}


def _tab(tiny_configs, search=""):
    ctrl = Controller(*tiny_configs(), registry=RunRegistry(max_runs=1))
    loc = Location(search=search)
    sync_url(ctrl, loc)
    return ctrl, loc


def test_the_query_string_carries_every_field_and_follows_the_widgets(tiny_configs):
    ctrl, loc = _tab(tiny_configs, "?nonsense=1")
    q = loc.query_params
    assert set(q) == {"preset", *FIELDS} - EMPTY_TEXT  # arguments that are no field leave the address
    assert (q["preset"], q["seq_len"], q["time_wavelengths"]) == ("quick", 16, [1.0])
    ctrl.model.latent_dim = 5
    ctrl.train.learning_rate = 0.02
    ctrl.model.architecture = "dense_vae"
    q = loc.query_params
    assert (q["latent_dim"], q["learning_rate"], q["architecture"]) == (5, 0.02, "dense_vae")
    ctrl.state.preset = "paper"
    assert (loc.query_params["preset"], loc.query_params["n_patterns"]) == ("paper", 30)
    ctrl.shutdown()


def test_a_copied_query_reproduces_the_settings(tiny_configs):
    from app.tab.requested_settings import initial_configs
    ctrl, loc = _tab(tiny_configs)
    ctrl.model.param.update(latent_dim=3, architecture="vq_vae", codebook_size=8)
    ctrl.data.time_wavelengths = [1.0, 2.0]
    args = {k: [v.encode()] for k, v in
            __import__("urllib.parse").parse.parse_qsl(loc.search[1:])}
    preset, configs, problem = initial_configs(args, {})
    assert problem == ""
    for cfg, mine in zip(configs, (ctrl.data, ctrl.model, ctrl.train)):
        assert cfg.param.values() | {"name": ""} == mine.param.values() | {"name": ""}
    ctrl.shutdown()


def test_values_arriving_through_the_address_are_checked_field_by_field(tiny_configs):
    ctrl, loc = _tab(tiny_configs)
    # e.g. the browser reports the address the page was opened with
    loc.search = (loc.search.replace("latent_dim=2", "latent_dim=999")
                  .replace("n_patterns=3", "n_patterns=4").replace("seq_len=16", "seq_len=18"))
    assert ctrl.data.n_patterns == 4                       # the good one applies
    assert (ctrl.model.latent_dim, ctrl.data.seq_len) == (2, 16)  # the bad ones do not
    assert "latent_dim=999: allowed range: an integer in 1..64; kept 2" in ctrl.state.notice
    assert "seq_len=18" in ctrl.state.notice and ctrl.state.error == ""
    q = loc.query_params                                   # and leave the address
    assert (q["latent_dim"], q["seq_len"], q["n_patterns"]) == (2, 16, 4)
    loc.search = loc.search.replace("preset=quick", "preset=huge")
    assert ctrl.state.preset == "quick" and "preset='huge'" in ctrl.state.notice
    assert loc.query_params["preset"] == "quick"
    ctrl.shutdown()


def test_an_address_with_some_fields_is_made_whole(tiny_configs):
    ctrl, loc = _tab(tiny_configs)
    loc.search = "?latent_dim=3&nonsense=1"  # what the browser reports on opening a link
    assert ctrl.model.latent_dim == 3
    assert set(loc.query_params) == {"preset", *FIELDS} - EMPTY_TEXT and loc.query_params["latent_dim"] == 3
    ctrl.shutdown()


def opened_with(link: str):
    """A tab opened with ``link``: its controller, synced location and first notice."""
    from urllib.parse import parse_qsl

    from app.tab.requested_settings import initial_configs
    args = {}
    for k, v in parse_qsl(link[1:]):  # as pn.state.session_args: every value of a name
        args.setdefault(k, []).append(v.encode())
    _, configs, problem = initial_configs(args, {})
    ctrl = Controller(*configs, registry=RunRegistry(max_runs=1))
    ctrl.state.notice = problem                 # as the page opens
    loc = Location(search=link)
    sync_url(ctrl, loc)
    return ctrl, loc, problem


def test_the_opening_address_adds_only_new_problems_to_the_notice(tiny_configs):
    link = "?latent_dim=999&nonsense=1&n_patterns=4"
    ctrl, loc, problem = opened_with(link)
    loc.search = link                     # the browser reports the address it opened
    assert ctrl.state.notice == problem         # the same problems, not repeated or lost
    assert "latent_dim=999" in problem and "unknown field 'nonsense'" in problem
    loc.search = loc.search.replace("seq_len=32", "seq_len=18")  # the quick preset's 32
    assert ctrl.state.notice.startswith(problem + "; seq_len=18: ")
    ctrl.shutdown()


def test_a_field_is_reported_once_though_the_browser_reads_its_value_again(tiny_configs):
    link = "?seq_len=-5&learning_rate=0&n_patterns=4"
    ctrl, loc, problem = opened_with(link)
    loc.search = link                     # Panel reads -5 as -5.0, 0 as 0 (int)
    assert ctrl.state.notice == problem, ctrl.state.notice
    assert ctrl.state.notice.count("seq_len=") == 1 and ctrl.state.notice.count("learning_rate=") == 1
    ctrl.shutdown()


def test_link_numbers_are_plain_ascii_and_a_repeated_field_is_named(tiny_configs):
    """Issue 22 item 5: latent_dim=٣ read as 3, 1_0 as 10, fullwidth digits were taken,
    and a repeated field silently took its last value; both when the page opens (the
    session's arguments) and when the browser reports the address (Panel's Location)."""
    link = ("?latent_dim=%D9%A3&n_patterns=1_0&epochs=%EF%BC%95&seq_len=8&seq_len=64"
            "&beta=0.5")
    ctrl, loc, problem = opened_with(link)
    for fragment in ("latent_dim=\u0663: allowed range: an integer in 1..64; kept 2",
                     "n_patterns=1_0: allowed range", "epochs=\uff15: allowed range",
                     "seq_len=8 and 64: given 2 times in the link; give it once"):
        assert fragment in problem, problem
    quick = (2, 5, 32)                               # the quick preset's values
    assert (ctrl.model.latent_dim, ctrl.data.n_patterns, ctrl.data.seq_len) == quick
    assert ctrl.model.beta == 0.5                    # the good field applies
    loc.search = link                                # the browser reports the address
    assert (ctrl.model.latent_dim, ctrl.data.n_patterns, ctrl.data.seq_len) == quick
    assert ctrl.train.epochs == 40
    assert ctrl.state.notice == problem, ctrl.state.notice       # named once, nothing new
    ctrl.shutdown()
    ctrl, loc = _tab(tiny_configs)
    loc.search = loc.search.replace("latent_dim=2", "latent_dim=%D9%A3")
    assert ctrl.model.latent_dim == 2 and "latent_dim=\u0663: allowed range" in ctrl.state.notice
    ctrl.shutdown()
