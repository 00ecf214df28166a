"""The team settings push gives a project, and the counting of `annotate status`, on a
hand-made export stream (the server side is tests/integration/test_team.py)."""

from __future__ import annotations

import json

import pytest

from annotate.errors import ConfigError
from annotate.labelstudio.team import LayerStatus, TeamSettings, _count


def test_settings_give_label_studio_fields() -> None:
    assert TeamSettings().fields() == {}
    assert TeamSettings(annotators_per_task=2).fields() == {
        "maximum_annotations": 2,
        "overlap_cohort_percentage": 100,
        "show_overlap_first": False,
    }
    assert TeamSettings(annotators_per_task=3, overlap=20, show_predictions=False).fields() == {
        "maximum_annotations": 3,
        "overlap_cohort_percentage": 20,
        "show_overlap_first": True,
        "show_collab_predictions": False,
    }
    assert TeamSettings(sampling="uniform").fields() == {"sampling": "Uniform sampling"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"annotators_per_task": 0}, "1 to 100"),
        ({"annotators_per_task": 2, "overlap": 120}, "0 to 100"),
        ({"overlap": 50}, "needs --annotators-per-task"),
        ({"sampling": "random"}, "known: sequential, uniform"),
    ],
)
def test_bad_settings_are_refused(options, message) -> None:
    with pytest.raises(ConfigError, match=message):
        TeamSettings(**options)


def test_status_counts_a_streamed_export() -> None:
    # task 1: users 1 and 2 submitted; task 2: user 1 submitted, user 2 skipped;
    # task 3: user 2 skipped only. 10 tasks in the project, 2 annotators per task.
    tasks = [
        {
            "id": 1,
            "annotations": [
                {"completed_by": 1, "was_cancelled": False, "created_at": "2026-12-01T10:00:00Z"},
                {"completed_by": 2, "was_cancelled": False, "updated_at": "2026-12-01T11:00:00Z"},
            ],
        },
        {
            "id": 2,
            "annotations": [
                {"completed_by": 1, "was_cancelled": False, "created_at": "2026-12-01T12:00:00Z"},
                {"completed_by": 2, "was_cancelled": True, "created_at": "2026-12-01T09:00:00Z"},
            ],
        },
        {"id": 3, "annotations": [{"completed_by": {"id": 2}, "was_cancelled": True}]},
    ]
    data = json.dumps(tasks).encode()
    status = LayerStatus("entities", 7, "p · Named entities", 2, 10)
    per_user: dict = {}
    chunks = iter([data[:17], data[17:40], data[40:]])  # split mid-token, as a download is
    assert _count(chunks, status, per_user) == 3
    assert status.by_annotations == {2: 1, 1: 1, 0: 1}
    assert status.skipped == 2
    assert (per_user["1"].submitted, per_user["1"].skipped) == (2, 0)
    assert (per_user["2"].submitted, per_user["2"].skipped) == (1, 2)
    assert per_user["1"].last_activity == "2026-12-01T12:00:00Z"
    assert per_user["2"].last_activity == "2026-12-01T11:00:00Z"
    # a restarted download counts from scratch
    assert _count(iter([data]), status, per_user) == 3
    assert status.by_annotations == {2: 1, 1: 1, 0: 1}
