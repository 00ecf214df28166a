"""Project creation under two racing pushes, against an in-memory server (a unit test: the
race with two real processes is tests/integration/test_push_safety.py, which this failure
made flaky: a creation saved by the server but answered "database is locked")."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from annotate.labelstudio import rest
from annotate.labelstudio.projects import ensure_project
from annotate.labelstudio.rest import Api, StatusError

BASE_ARGS = {"label_config": "<View/>"}
BASE = {
    "label_config": "<View/>",
    "description": "",
    "expert_instruction": "",
    "show_instruction": False,
}


class Server(Api):
    """Projects in a dict. With `racing`, a POST is preceded by another push's creation
    (it lands first, with the lower id), and ours is saved and answered with HTTP 500, as
    Label Studio answers when SQLite is locked after the project row exists."""

    def __init__(self, *, racing: bool = False) -> None:
        super().__init__("http://127.0.0.1:1", "key", httpx.Client())
        self.projects: dict[int, dict[str, Any]] = {}
        self.racing = racing

    def add(self, title: str, *, tasks: int = 0) -> int:
        project_id = 10 + len(self.projects)
        self.projects[project_id] = {"id": project_id, "title": title, "task_number": tasks,
                                     **BASE}  # fmt: skip
        return project_id

    def call(self, method: str, path: str, **options: Any) -> Any:
        parts = [p for p in path.split("/") if p]
        if method == "GET" and parts == ["api", "projects"]:
            title = options["params"]["title"]
            hits = [p for p in self.projects.values() if title.lower() in p["title"].lower()]
            return {"results": hits, "next": None}
        if method == "POST":
            title = options["json"]["title"]
            if self.racing:
                self.racing = False
                self.add(title)  # the other push's creation
                self.add(title)  # ours: saved, then the error
                raise StatusError(500, {}, {"detail": "database is locked"})
            return self.projects[self.add(title)]
        project_id = int(parts[2])
        if project_id not in self.projects:
            raise StatusError(404, {}, {"detail": "Not found."})
        if method == "GET":
            return self.projects[project_id]
        if method == "DELETE":
            del self.projects[project_id]
            return None
        if method == "PATCH":
            self.projects[project_id].update(options["json"])
            return self.projects[project_id]
        raise AssertionError((method, path))


@pytest.fixture(autouse=True)
def _no_retry_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rest, "RETRY_FIRST_DELAY_S", 0.0)


def test_a_creation_saved_but_answered_500_in_a_race_leaves_one_project() -> None:
    server = Server(racing=True)
    # Both pushes listed no project; the other created 10, ours was saved as 11 and
    # answered 500; the retry finds both and must use 10 and delete the empty 11.
    assert ensure_project(server, title="race · entities", **BASE_ARGS) == (10, False)
    assert sorted(server.projects) == [10]


def test_a_push_finding_an_empty_copy_left_by_an_earlier_race_deletes_it() -> None:
    server = Server()
    server.add("race · entities")
    server.add("race · entities")
    assert ensure_project(server, title="race · entities", **BASE_ARGS) == (10, False)
    assert sorted(server.projects) == [10]


def test_a_higher_copy_holding_tasks_is_kept() -> None:
    server = Server()
    server.add("mine · entities")
    server.add("mine · entities", tasks=5)
    assert ensure_project(server, title="mine · entities", **BASE_ARGS) == (10, False)
    assert sorted(server.projects) == [10, 11]  # someone's tasks are never deleted
