"""pull against a real Label Studio: nothing pinned before anyone annotated, and a pull
touches only its own prefix and the layers it pulled, with handles kept (issue 11, 1, 3)."""

from __future__ import annotations

import json
import re

import pytest

from annotate.labelstudio import client as ls
from annotate.labelstudio.sync import project_title, pull, push
from annotate.layers import get_layer
from annotate.model import Span, task_key
from annotate.pins import read_annotators, read_pins

pytestmark = pytest.mark.integration


def _annotate(creds, article, *, prefix: str, layer: str, email: str) -> None:
    """One annotator labels "OpenAI" in the first paragraph that has it (as in the browser)."""
    client = ls.connect(**creds)
    project_id = ls.find_project(client, title=project_title(prefix, layer))
    assert project_id is not None
    para = next(p for p in article.paragraphs if "OpenAI" in p.slice(article.text))
    start = article.text.index("OpenAI", para.start)
    span = Span("e1", start, start + 6, "OpenAI", "ORG")
    result = get_layer("entities").to_ls_result(
        [span], [], segment_start=para.start, segment_text=para.slice(article.text)
    )
    task_id = ls.existing_task_keys(client, project_id)[
        task_key(article.id, layer, para.start, para.end)
    ]
    user = ls.ensure_user(client, email=email)
    ls.submit_annotation(client, task_id=task_id, result=result, completed_by=user)


@pytest.fixture
def creds(ls_server):
    return {"url": ls_server["url"], "api_key": ls_server["api_key"]}


def test_a_pull_before_anyone_annotated_pins_nothing(creds, ls_run_id, article, tmp_path):
    prefix = f"empty-{ls_run_id}"
    push([article], layers=["entities", "claims"], prefix=prefix, **creds)
    labels = tmp_path / "labels"
    pulled = pull(layers=["entities", "claims"], labels_dir=labels, prefix=prefix, **creds)
    assert [r.pinned for r in pulled] == [False, False]
    assert all("not pinned" in (r.note or "") for r in pulled)
    assert not (labels / f"{prefix}.pins.json").exists()
    _annotate(creds, article, prefix=prefix, layer="entities", email=f"a-{ls_run_id}@x.test")
    pulled = pull(layers=["entities", "claims"], labels_dir=labels, prefix=prefix, **creds)
    assert [r.pinned for r in pulled] == [True, False]
    pinned = (labels / f"{prefix}.pins.json").read_bytes()
    # claims is still empty: pulling again keeps the entities pin and pins no empty claims
    pull(layers=["claims"], labels_dir=labels, prefix=prefix, **creds)
    assert (labels / f"{prefix}.pins.json").read_bytes() == pinned
    assert [p.layer for p in read_pins(labels / f"{prefix}.pins.json")] == ["entities"]


def test_a_pull_touches_only_its_prefix_and_layers(creds, ls_run_id, article, tmp_path):
    mine, theirs = f"mine-{ls_run_id}", f"theirs-{ls_run_id}"
    push([article], layers=["entities", "claims"], prefix=mine, **creds)
    push([article], layers=["entities"], prefix=theirs, **creds)
    _annotate(creds, article, prefix=theirs, layer="entities", email=f"t-{ls_run_id}@x.test")
    _annotate(creds, article, prefix=mine, layer="entities", email=f"m-{ls_run_id}@x.test")
    labels = tmp_path / "labels"  # both prefixes pull into the same labels folder
    pull(layers=["entities"], labels_dir=labels, prefix=theirs, **creds)
    their_pins = (labels / f"{theirs}.pins.json").read_bytes()
    pull(layers=["entities", "claims"], labels_dir=labels, prefix=mine, **creds)
    assert (labels / f"{theirs}.pins.json").read_bytes() == their_pins
    my_pins = labels / f"{mine}.pins.json"
    handles = read_annotators(my_pins)
    assert len(handles) == 1
    assert all(re.fullmatch(r"annotator-[0-9a-f]{8}", h) for h in handles.values())
    # a second annotator joins on entities; pulling entities only keeps the first handle
    _annotate(creds, article, prefix=mine, layer="entities", email=f"n-{ls_run_id}@x.test")
    before = json.loads(my_pins.read_text())
    pull(layers=["entities"], labels_dir=labels, prefix=mine, **creds)
    after = json.loads(my_pins.read_text())
    assert {k: after["annotators"][k] for k in handles} == handles
    assert len(after["annotators"]) == 2
    assert after["layers"].get("claims") == before["layers"].get("claims")
    assert after["layers"]["entities"] != before["layers"]["entities"]
    assert (labels / f"{theirs}.pins.json").read_bytes() == their_pins
