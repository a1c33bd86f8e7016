"""The bad-input corpus (tests/data/bad_inputs.json) through the page's logic: links as
the page reads them (when it opens, and again when the browser reports the address),
values typed into the sidebar's boxes, files loaded in the Files card. Each case's
message must appear, shown as text, and nothing may raise."""
from __future__ import annotations

import html
import json
import re
import urllib.parse
import zipfile
from pathlib import Path

import panel as pn
import pytest
from panel.io.location import Location

from apptools import wait_for

from app.cards.settings import Settings
from app.tab.controller import Controller
from app.cards.files import FilesView
from app.server.runs import RunRegistry
from app.cards.safe_text import literal_markdown
from app.tab.requested_settings import initial_configs, problem_fields
from app.cards.typed_inputs import CheckedFloatInput, CheckedIntInput
from app.tab.url_sync import sync_url

CORPUS = json.loads((Path(__file__).parents[1] / "data" / "bad_inputs.json").read_text())
CASES = [pytest.param(kind, case, id=f"{kind}-{i}") for kind in ("links", "widgets", "files")
         for i, case in enumerate(CORPUS[kind])]


def _shown(text: str) -> str:
    """What the page's alert makes of ``text``: the markup the browser parses."""
    pane = pn.pane.Alert(literal_markdown(text))
    return html.unescape(pane._transform_object(pane.object)["object"])


def _write(case: dict, folder: Path) -> Path:
    """The case's file, written for real ('/' in a name is not a folder here)."""
    path = folder / case["name"].replace("/", "_")
    if "hex" in case:
        path.write_bytes(bytes.fromhex(case["hex"]))
    elif "zip" in case:
        with zipfile.ZipFile(path, "w") as z:
            for member, text in case["zip"].items():
                z.writestr(member, text)
    elif "json" in case:
        path.write_text(json.dumps(case["json"]))
    elif "repeat" in case:
        path.write_text(case["repeat"][0] * case["repeat"][1])
    else:
        path.write_text(case["text"])
    return path


def _link(ctrls, case) -> str:
    query = case["query"]
    args: dict = {}
    for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
        args.setdefault(k, []).append(v.encode())
    preset, configs, notice = initial_configs(args, {})   # the page opens
    ctrl = Controller(*configs, preset=preset, registry=RunRegistry(max_runs=1))
    ctrls.append(ctrl)
    ctrl.state.notice = notice
    loc = Location(search="?" + query)
    sync_url(ctrl, loc)
    loc.search = "?" + query            # the browser reports the address it opened
    assert ctrl.state.notice.startswith("Ignored requested settings: ")
    # each field once, however the value was read the second time
    body = ctrl.state.notice.removeprefix("Ignored requested settings: ")
    starts = re.findall(r"(?:^|; )(?:unknown field '.*?'|\w+=)", body)
    assert starts and len(starts) == len(set(starts)) == len(problem_fields(ctrl.state.notice)), \
        ctrl.state.notice
    return ctrl.state.notice


def _widget(ctrls, case, tiny_configs) -> str:
    ctrl = Controller(*tiny_configs(), registry=RunRegistry(max_runs=1))
    ctrls.append(ctrl)
    view = Settings(ctrl).__panel__()
    for card in view.select(pn.Card):  # the Advanced card is built on its first open
        card.collapsed = False
    boxes = {w.spec.name: w for w in view.select(
        lambda o: isinstance(o, (CheckedIntInput, CheckedFloatInput)))}
    cfg = next(c for c in (ctrl.data, ctrl.model, ctrl.train) if case["field"] in c.param)
    before = getattr(cfg, case["field"])
    boxes[case["field"]]._process_events({"value": case["value"]})  # as the browser sends it
    assert getattr(cfg, case["field"]) == before and not ctrl.state.can_start
    return ctrl.state.error


def _file(ctrls, case, tiny_configs, folder) -> str:
    ctrl = Controller(*tiny_configs(), registry=RunRegistry(max_runs=1))
    ctrls.append(ctrl)
    view = FilesView(ctrl)
    view.message = "Loaded the settings of an earlier file"  # must be replaced
    path = _write(case, folder)
    widget = view.model_input if case["name"].endswith((".keras", ".h5")) else view.config_input
    widget.param.update(filename=case["name"], value=path.read_bytes())
    # a .keras file that passes the quick checks is loaded in a worker thread
    wait_for(ctrl, lambda: not ctrl.state.checking_model, 120, "the model check")
    assert view.message == "" and ctrl.state.loaded_model == ""
    assert "/tmp" not in view.problem and str(folder) not in view.problem
    return view.problem


@pytest.mark.parametrize("kind, case", CASES)
def test_each_bad_input_gets_its_message_as_text(kind, case, tiny_configs, tmp_path):
    ctrls: list[Controller] = []
    try:
        if kind == "links":
            text = _link(ctrls, case)
        elif kind == "widgets":
            text = _widget(ctrls, case, tiny_configs)
        else:
            text = _file(ctrls, case, tiny_configs, tmp_path)
        assert case["expect"] in text, text
        shown = _shown(text)
        assert shown.count("<") == 2 and shown.startswith("<p>"), shown  # only <p>...</p>
        assert html.unescape(shown[3:].rstrip().removesuffix("</p>")) == text
    finally:
        for ctrl in ctrls:
            ctrl.shutdown()
