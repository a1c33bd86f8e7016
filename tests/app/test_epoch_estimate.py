"""The estimated epoch time said before Start: built-in until the server has run the
architecture, then its own most recent epoch, scaled by window size and window count."""
from __future__ import annotations

import pytest

from app.tab import epoch_estimate as est
from app.tab.controller import Controller
from app.tab.data_size import size_summary, size_warning
from app.server.runs import RunRegistry
from tsvae_core import events as ev
from tsvae_core import families
from tsvae_core.config import make_configs


@pytest.fixture(autouse=True)
def no_measurements():
    est.forget()  # the store is server-wide: other tests' runs must not count here
    yield
    est.forget()


def test_before_any_run_the_builtin_figure_says_so():
    data, model, _ = make_configs("quick")
    e = est.estimate(data, model)
    assert e.seconds == pytest.approx(est.BUILTIN_SECONDS_PER_WINDOW * data.n_train())
    assert "2-core CPU" in e.text() and "none has run on this server yet" in e.text()
    # other families: their measured ratio to the default's epoch on quick
    model.architecture = "dense_vae"
    assert est.estimate(data, model).seconds == pytest.approx(
        e.seconds * families.cost_ratio("dense_vae"))
    # the paper's windows cost PAPER_OVER_QUICK times quick's (the measured ratio)
    pdata, pmodel, _ = make_configs("paper")
    assert est.estimate(pdata, pmodel).seconds == pytest.approx(
        est.BUILTIN_SECONDS_PER_WINDOW * est.PAPER_OVER_QUICK * pdata.n_train())


def test_the_servers_most_recent_epoch_wins_and_scales():
    data, model, _ = make_configs("quick")
    est.record("conv_attention_gru", 32, 7, 1000, 2.0)   # 2 ms a window
    est.record("conv_attention_gru", 32, 7, 1000, 5.0)   # a busier server now: 5 ms
    e = est.estimate(data, model)
    assert e.seconds == pytest.approx(5e-3 * data.n_train())
    assert "this server's last conv_attention_gru epoch" in e.basis and "scaled" not in e.basis
    # ten times the windows: ten times the time; larger windows: more, by the exponent
    big, _, _ = make_configs("quick", repeats=400)
    assert est.estimate(big, model).seconds == pytest.approx(5e-3 * big.n_train())
    wide, _, _ = make_configs("quick", n_features=13)            # 32 x 14: 2x the elements
    assert est.estimate(wide, model).seconds == pytest.approx(
        5e-3 * 2 ** est.SHAPE_EXPONENT * wide.n_train())
    assert "scaled to this window size" in est.estimate(wide, model).basis
    # another architecture still has only the built-in figure
    model.architecture = "vq_vae"
    assert "none has run" in est.estimate(data, model).basis
    est.record("vq_vae", 32, 7, 100, float("nan"))               # nonsense is ignored
    assert "none has run" in est.estimate(data, model).basis


@pytest.mark.parametrize("seconds, text", [(0.2, "under a second"), (40, "40 s"),
                                           (600, "10 min"), (2 * 3600, "2.0 h")])
def test_durations_read_as_estimates(seconds, text):
    assert est.format_seconds(seconds) == text


def test_the_sidebar_line_and_the_large_run_warning_say_the_estimate():
    data, model, train = make_configs("quick", repeats=1000, noise_size=1_000_000)
    est.record("conv_attention_gru", 32, 7, 1000, 2.0)           # 2 ms a window
    minutes = round(2e-3 * data.n_train() / 60)
    assert size_summary(data, train, model).endswith(
        f"; about {minutes} min an epoch (from this server's last conv_attention_gru epoch)")
    warning = size_warning(data, train, model)
    assert f"about {minutes} min an epoch" in warning and "This run is large" in warning
    d, m, t = make_configs("quick")
    assert size_warning(d, t, m) == ""


def test_a_tabs_finished_epochs_feed_every_tabs_estimate(tiny_configs, wait):
    ctrl = Controller(*tiny_configs(epochs=3), tab="est", registry=RunRegistry(max_runs=1))
    other = Controller(*tiny_configs(), tab="est2", registry=RunRegistry(max_runs=1))
    try:
        assert "none has run on this server yet" in ctrl.state.size_summary
        ctrl.param.trigger("start")
        wait(ctrl, lambda: ctrl.state.status in ev.ENDED, 120, "the run to finish")
        assert ctrl.state.status == ev.FINISHED, ctrl.state.error
        record = ctrl.runs.get(ctrl.state.run_id)
        last = record.history[-1]["epoch_seconds"]   # epochs 2 and 3 were measured
        expected = est.format_seconds(last / ctrl.data.n_train() * other.data.n_train())
        other.poll()                                 # the other tab's next poll shows it
        assert f"{expected} an epoch (from this server's last" in other.state.size_summary
    finally:
        for c in (ctrl, other):
            s = c.session
            c.shutdown()
            if s is not None:
                s.join(30)


def test_an_estimate_reads_as_a_sentence():
    assert est.Estimate(0.3, "basis").text() == "under a second an epoch (basis)"
    assert est.Estimate(40, "basis").text() == "about 40 s an epoch (basis)"
