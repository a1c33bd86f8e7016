"""The tab's logic is composed, not inherited (issue 24): the Controller holds its
collaborators, they never reach back into it, and the cards read the tab's state and
public members only. Each check reads the code as it is, so a mixin or a private read
added later fails here."""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

import param

from app.tab import model_loading, polling, settings, state, streams
from app.tab.controller import Controller

APP = Path(__file__).resolve().parents[2] / "app"


def test_the_controller_has_no_base_but_parameterized_and_only_actions_as_params():
    assert Controller.__bases__ == (param.Parameterized,)
    own = [n for n in Controller.param if n != "name"]
    assert own and all(isinstance(Controller.param[n], param.Event) for n in own), own
    # every value a card watches is the TabState's
    assert {"status", "epoch", "can_stop", "error", "notice", "run_id"} <= set(state.TabState.param)


def test_collaborators_do_not_know_the_controller():
    for module in (settings, streams, model_loading, polling, state):
        tree = ast.parse(inspect.getsource(module))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not imported & {"controller", "app.tab.controller"}, module
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert not names & {"ctrl", "Controller"}, module


def _private_reads(path: Path) -> list[str]:
    """``ctrl._x`` / ``self.ctrl._x`` / ``c._x`` reads of a controller in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            base = node.value
            name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
            if name in ("ctrl", "c", "controller"):
                found.append(f"{path.name}:{node.lineno} {name}.{node.attr}")
    return found


def test_nothing_outside_the_tab_reads_a_private_member_of_the_controller():
    files = [p for p in APP.rglob("*.py") if "tab" not in p.relative_to(APP).parts[:1]]
    assert len(files) > 20
    assert [r for p in files for r in _private_reads(p)] == []
