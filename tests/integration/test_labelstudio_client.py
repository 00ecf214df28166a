"""annotate.labelstudio.client against a real Label Studio server."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from label_studio_sdk import LabelStudio

from annotate.errors import LabelStudioError
from annotate.labelstudio import client as ls
from annotate.labelstudio import rest
from annotate.labelstudio.exports import export_project

pytestmark = pytest.mark.integration

LABEL_CONFIG = (
    '<View><Labels name="label" toName="text"><Label value="PER"/></Labels>'
    '<Text name="text" value="$text"/></View>'
)


def span(text: str, word: str, label: str = "PER") -> dict[str, Any]:
    """A <Labels> result over the first `word` in `text`, with code-point offsets."""
    start = text.index(word)
    return {
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": start + len(word), "text": word, "labels": [label]},
    }


def task(key: str, text: str, *, predicted: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"data": {"text": text, "task_key": key}}
    if predicted:
        out["predictions"] = [
            {"model_version": "rules-1", "score": 0.5, "result": [span(text, predicted)]}
        ]
    return out


@pytest.fixture
def project(
    ls_client: LabelStudio, ls_run_id: str, request: pytest.FixtureRequest
) -> Iterator[int]:
    """A fresh project for one test, deleted after it."""
    title = f"it {ls_run_id} {request.node.name}"[:50]
    project_id, created = ls.ensure_project(ls_client, title=title, label_config=LABEL_CONFIG)
    assert created
    yield project_id
    ls_client.projects.delete(project_id)


@pytest.fixture
def new_user_email(ls_client: LabelStudio, ls_run_id: str) -> Iterator[Callable[[str], str]]:
    """Makes emails for users that are deleted after the test."""
    emails: list[str] = []

    def make(name: str) -> str:
        emails.append(f"{name}-{ls_run_id}@annotate.local")
        return emails[-1]

    yield make
    for user in ls_client.users.list():
        if user.email in emails and user.id is not None:
            ls_client.users.delete(user.id)


def export_json(client: LabelStudio, project_id: int, **options: Any) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = json.loads(export_project(client, project_id, **options))
    return tasks


def test_connect_refuses_a_bad_token_without_showing_it(ls_server: dict[str, str]) -> None:
    bad = "0123456789abcdef" * 2 + "deadbeef"
    with pytest.raises(LabelStudioError) as caught:
        ls.connect(url=ls_server["url"], api_key=bad)
    assert "HTTP 401" in str(caught.value)
    assert bad not in str(caught.value)
    assert ls_server["api_key"] not in str(caught.value)


def test_connect_without_configuration_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LabelStudioError, match="LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY"):
        ls.connect()


def test_connect_reads_dotenv_in_current_directory(
    ls_server: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    (tmp_path / ".env").write_text(
        f"# local server\nexport LABEL_STUDIO_URL={ls_server['url']}\n"
        f"LABEL_STUDIO_API_KEY='{ls_server['api_key']}'\n"
    )
    monkeypatch.chdir(tmp_path)
    assert ls.connect().users.whoami().email == "admin@annotate.local"


def test_connect_reports_an_unreachable_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rest, "RETRY_ATTEMPTS", 2)
    monkeypatch.setattr(rest, "RETRY_FIRST_DELAY_S", 0.01)
    with pytest.raises(LabelStudioError, match="ConnectError") as caught:
        ls.connect(url="http://127.0.0.1:9", api_key="x" * 40)
    assert caught.value.hint and "label-studio.sh" in caught.value.hint


def test_ensure_project_twice_finds_and_updates_it(
    ls_client: LabelStudio, ls_run_id: str, request: pytest.FixtureRequest
) -> None:
    title = f"it {ls_run_id} · ensure"  # sync.py's titles have a middle dot
    assert ls.find_project(ls_client, title=title) is None
    first, created = ls.ensure_project(ls_client, title=title, label_config=LABEL_CONFIG)
    request.addfinalizer(lambda: ls_client.projects.delete(first))
    assert created
    again, created_again = ls.ensure_project(
        ls_client,
        title=title,
        label_config=LABEL_CONFIG,
        description="entities",
        instructions="<p>Label people.</p>",
    )
    assert (again, created_again) == (first, False)
    assert ls.find_project(ls_client, title=title) == first
    stored = ls_client.projects.get(first)
    assert stored.description == "entities"
    assert stored.expert_instruction == "<p>Label people.</p>"
    assert stored.show_instruction is True


def test_ensure_project_rejects_a_title_label_studio_would_refuse(ls_client: LabelStudio) -> None:
    with pytest.raises(LabelStudioError, match="3 to 50"):
        ls.ensure_project(ls_client, title="x" * 51, label_config=LABEL_CONFIG)


def test_import_twice_adds_nothing(ls_client: LabelStudio, project: int) -> None:
    tasks = [task(f"k{i}", f"Hello Bob number {i}.", predicted="Bob") for i in range(3)]

    first = ls.import_tasks(ls_client, project, tasks)
    again = ls.import_tasks(ls_client, project, [*tasks, tasks[0]])

    assert (first.created, first.skipped) == (3, 0)
    assert (again.created, again.skipped) == (0, 4)
    assert again.task_ids == first.task_ids
    assert ls.existing_task_keys(ls_client, project) == first.task_ids
    assert ls_client.projects.get(project).task_number == 3


def test_import_adds_only_the_new_tasks(ls_client: LabelStudio, project: int) -> None:
    ls.import_tasks(ls_client, project, [task("a", "Alice."), task("b", "Bob.")])
    result = ls.import_tasks(
        ls_client, project, [task("b", "Bob."), task("c", "Carol."), task("c", "Carol.")]
    )
    assert (result.created, result.skipped) == (1, 2)
    assert sorted(result.task_ids) == ["b", "c"]
    assert sorted(ls.existing_task_keys(ls_client, project)) == ["a", "b", "c"]


def test_import_retried_after_a_timeout_does_not_duplicate(
    ls_client: LabelStudio, project: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = ls._post_tasks
    calls = []

    def committed_then_timed_out(client: Any, project_id: int, tasks: list[Any]) -> Any:
        calls.append(len(tasks))
        response = real_import(client, project_id, tasks)
        if len(calls) == 1:
            raise httpx.ReadTimeout("the answer was lost")
        return response

    monkeypatch.setattr(ls, "_post_tasks", committed_then_timed_out)
    monkeypatch.setattr(rest, "RETRY_FIRST_DELAY_S", 0.01)
    tasks = [task(f"r{i}", f"Retry {i}.") for i in range(5)]
    result = ls.import_tasks(ls_client, project, tasks[:3])
    assert calls == [3]  # nothing left to resend: all three had reached the server
    assert (result.created, result.skipped) == (3, 0)
    assert ls.existing_task_keys(ls_client, project) == result.task_ids

    calls.clear()
    result = ls.import_tasks(ls_client, project, tasks)
    assert calls == [2]
    assert (result.created, result.skipped) == (2, 3)
    assert ls_client.projects.get(project).task_number == 5


def test_import_requires_the_key_field(ls_client: LabelStudio, project: int) -> None:
    with pytest.raises(LabelStudioError) as caught:
        ls.import_tasks(ls_client, project, [task("a", "Alice."), {"data": {"text": "No key"}}])
    assert caught.value.json_path == "$[1].data.task_key"


def test_import_error_from_the_server_is_a_labelstudio_error(
    ls_client: LabelStudio, project: int
) -> None:
    with pytest.raises(LabelStudioError, match="HTTP 400"):  # no "text" for the <Text> tag
        ls.import_tasks(ls_client, project, [{"data": {"task_key": "k", "body": "x"}}])


@pytest.mark.slow
def test_import_1000_tasks_in_batches(
    ls_client: LabelStudio, project: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks = [task(f"k{i:04d}", f"Hello Bob {i}. " * 20, predicted="Bob") for i in range(1000)]
    result = ls.import_tasks(ls_client, project, tasks, batch_size=300)
    assert (result.created, result.skipped) == (1000, 0)
    monkeypatch.setattr(ls, "TASK_PAGE_SIZE", 300)  # read the keys back in 4 pages
    assert ls.existing_task_keys(ls_client, project) == result.task_ids
    assert len(export_json(ls_client, project)) == 1000


def test_export_returns_the_tasks_with_their_predictions(
    ls_client: LabelStudio, project: int
) -> None:
    imported = ls.import_tasks(
        ls_client, project, [task("p1", "Hi Bob.", predicted="Bob"), task("p2", "Hi Eve.")]
    )
    exported = export_json(ls_client, project)
    by_key = {t["data"]["task_key"]: t for t in exported}
    assert {k: t["id"] for k, t in by_key.items()} == imported.task_ids
    [prediction] = by_key["p1"]["predictions"]
    assert prediction["model_version"] == "rules-1"
    assert prediction["score"] == 0.5
    assert prediction["result"][0]["value"]["labels"] == ["PER"]
    assert by_key["p2"]["predictions"] == []
    # only tasks with annotations
    assert export_json(ls_client, project, download_all_tasks=False) == []


def test_annotations_carry_their_annotator(
    ls_client: LabelStudio, project: int, new_user_email: Callable[[str], str]
) -> None:
    alice_email, bob_email = new_user_email("alice"), new_user_email("bob")
    alice = ls.ensure_user(ls_client, email=alice_email, first_name="Al")
    bob = ls.ensure_user(ls_client, email=bob_email)
    assert ls.ensure_user(ls_client, email=alice_email) == alice
    renamed = ls.ensure_user(
        ls_client, email=alice_email.upper(), first_name="Alice", last_name="A"
    )
    assert renamed == alice
    assert (ls_client.users.get(alice).first_name, ls_client.users.get(alice).last_name) == (
        "Alice",
        "A",
    )
    assert alice != bob
    text = "Bob met Eve."
    ids = ls.import_tasks(ls_client, project, [task("t", text)]).task_ids

    by_alice = ls.submit_annotation(
        ls_client, task_id=ids["t"], result=[span(text, "Bob")], completed_by=alice, lead_time=4.5
    )
    by_bob = ls.submit_annotation(
        ls_client,
        task_id=ids["t"],
        result=[span(text, "Bob"), span(text, "Eve")],
        completed_by=bob,
        ground_truth=True,
    )

    [exported] = export_json(ls_client, project)
    annotations = {a["id"]: a for a in exported["annotations"]}
    assert annotations[by_alice]["completed_by"] == alice
    assert annotations[by_alice]["lead_time"] == 4.5
    assert annotations[by_alice]["ground_truth"] is False
    assert annotations[by_bob]["completed_by"] == bob
    assert annotations[by_bob]["ground_truth"] is True
    assert len(annotations[by_bob]["result"]) == 2


def test_submit_annotation_to_a_missing_task_names_it(ls_client: LabelStudio) -> None:
    with pytest.raises(LabelStudioError) as caught:
        ls.submit_annotation(ls_client, task_id=999_999_999, result=[])
    assert caught.value.task_id == 999_999_999


def test_text_offsets_after_an_astral_character_are_code_points(
    ls_client: LabelStudio, project: int
) -> None:
    text = "😀 Bob met 𝄞 Alice."  # two astral characters: UTF-16 offsets would differ by 2
    start = text.index("Alice")
    assert (start, len(text[:start].encode("utf-16-le")) // 2) == (12, 14)
    ids = ls.import_tasks(ls_client, project, [task("emoji", text)]).task_ids
    ls.submit_annotation(ls_client, task_id=ids["emoji"], result=[span(text, "Alice")])

    [exported] = export_json(ls_client, project)
    assert exported["data"]["text"] == text
    value = exported["annotations"][0]["result"][0]["value"]
    assert (value["start"], value["end"]) == (12, 17)
    assert exported["data"]["text"][value["start"] : value["end"]] == "Alice"

    # The server's own converter reads the offsets as code points too.
    conll = export_project(ls_client, project, export_type="CONLL2003").decode()
    tags = dict(line.split(" -X- _ ") for line in conll.splitlines() if " -X- _ " in line)
    assert tags["Alice"] == "B-PER"
    assert tags["Bob"] == "O"
