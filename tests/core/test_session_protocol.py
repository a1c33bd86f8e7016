"""The three classes that hold a run provide the protocols of tsvae_core.session.protocol:
the local ``TrainingSession`` and the Ray run proxy ``RemoteSession`` are ``Session``s,
the Ray sweep trial ``RemoteTrial`` a ``Run``. Each is checked as a real object, member by
member (present, and callable with the protocol's arguments), and then driven through
the protocol's members alone, from start to a saved model."""
from __future__ import annotations

import inspect
import time

import pytest

from tsvae_core import events as ev
from tsvae_core.session.protocol import Run, Session
from tsvae_core.session.training import TrainingSession

from .tiny import QUICK_BUILD, tiny_configs

ONE_EPOCH = {**QUICK_BUILD, "epochs": 1}


def protocol_members(proto) -> list[str]:
    """The members a protocol names: its methods, properties and annotated attributes,
    its base protocols' included."""
    names = set()
    for cls in proto.__mro__:
        if cls in (Run, Session):
            names |= set(vars(cls).get("__annotations__", {})) | set(vars(cls))
    return sorted(n for n in names if not n.startswith("_"))


def mismatches(obj, proto) -> list[str]:
    """Members of ``proto`` that ``obj`` lacks, or whose method cannot take the
    protocol's arguments."""
    bad = []
    for name in protocol_members(proto):
        if not hasattr(obj, name):
            bad.append(f"{name}: missing")
            continue
        wanted = inspect.getattr_static(proto, name, None)
        if inspect.isfunction(wanted):
            got = getattr(obj, name)
            n_args = len(inspect.signature(wanted).parameters) - 1  # less self
            try:
                inspect.signature(got).bind(*[None] * n_args)
            except TypeError as exc:
                bad.append(f"{name}: {exc}")
    return bad


def drive(run: Run, path) -> list:
    """Train ``run`` to its end through ``Run``'s members only; its events."""
    run.nice = 0
    run.start()
    events, deadline = [], time.monotonic() + 240
    while True:
        alive = run.is_alive()
        events += run.drain()
        if not alive:
            break
        assert time.monotonic() < deadline, (run.status, run.message)
        run.join(0.1)
    run.save(str(path))
    run.close()
    return events


def test_the_protocols_name_what_the_app_uses():
    assert {"start", "stop", "close", "drain", "is_alive", "join", "save",
            "status", "message", "nice"} <= set(protocol_members(Run))
    assert set(protocol_members(Run)) < set(protocol_members(Session))
    assert {"encode", "decode", "reconstruct", "set_probes", "dataset", "family"} \
        <= set(protocol_members(Session))


def test_a_local_session_is_a_session_and_trains_through_it(tmp_path):
    s = TrainingSession(*tiny_configs(**ONE_EPOCH))
    assert isinstance(s, Session) and isinstance(s, Run)
    assert mismatches(s, Session) == []
    events = drive(s, tmp_path / "local.keras")
    assert s.status == ev.FINISHED, s.message
    assert [e.epoch for e in events if isinstance(e, ev.EpochEnd)] == [1]
    assert (tmp_path / "local.keras").stat().st_size > 0
    assert s.subset is not None and s.family is not None and s.snapshot_ready


def test_a_structural_check_finds_what_is_missing():
    class Partial:  # a run without inspection, and a drain that needs an argument
        status, message, nice = ev.IDLE, "", 0

        def start(self): ...
        def stop(self): ...
        def close(self): ...
        def drain(self, max_items): ...
        def is_alive(self): ...
        def join(self, timeout=None): ...
        def save(self, path): ...

    assert not isinstance(Partial(), Session)
    assert "encode: missing" in mismatches(Partial(), Session)
    assert [m.split(":")[0] for m in mismatches(Partial(), Run)] == ["drain"]


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")  # Ray is an optional extra
    ray.init(num_cpus=2, include_dashboard=False, logging_level="warning",
             log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_a_ray_run_proxy_is_a_session_and_trains_through_it(local_ray, tmp_path):
    from tsvae_core.ray.run_proxy import RemoteSession
    s = RemoteSession(*tiny_configs(**ONE_EPOCH))
    assert isinstance(s, Session)
    assert mismatches(s, Session) == []
    events = drive(s, tmp_path / "proxy.keras")
    assert s.status == ev.FINISHED, s.message
    assert [e.epoch for e in events if isinstance(e, ev.EpochEnd)] == [1]
    assert (tmp_path / "proxy.keras").stat().st_size > 0


@pytest.mark.slow
def test_a_ray_sweep_trial_is_a_run_and_trains_through_it(local_ray, tmp_path):
    from tsvae_core.ray.trial import RemoteTrial
    trial = RemoteTrial(*tiny_configs(**ONE_EPOCH))
    assert isinstance(trial, Run)
    assert not isinstance(trial, Session)  # a trial is not inspected while it trains
    assert mismatches(trial, Run) == []
    events = drive(trial, tmp_path / "trial.keras")
    assert trial.status == ev.FINISHED, trial.message
    assert [e.epoch for e in events if isinstance(e, ev.EpochEnd)] == [1]
    assert (tmp_path / "trial.keras").stat().st_size > 0
