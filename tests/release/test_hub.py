"""Hub publishing, tested up to the upload: HfApi is replaced at the boundary (the tests
cannot reach the Hub)."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import pytest
from huggingface_hub import HfApi

from annotate.errors import ReleaseError
from annotate.pipeline import gold_set
from annotate.release import hub
from annotate.release.publish import release

TOKEN = "hf_test_secret_token_0123456789"


def _api():
    api = mock.create_autospec(HfApi, instance=True)
    api.upload_folder.return_value = SimpleNamespace(
        oid="0123abcd" * 5, commit_url="https://huggingface.co/datasets/org/demo/commit/0123"
    )
    return api


def test_push_uploads_the_folder_and_tags_the_commit(tmp_path):
    api = _api()
    result = hub.push_to_hub(tmp_path, repo_id="org/demo", version="1.2.0", api=api)
    api.create_repo.assert_called_once_with(
        "org/demo", repo_type="dataset", private=False, exist_ok=True
    )
    kwargs = api.upload_folder.call_args.kwargs
    assert kwargs["repo_id"] == "org/demo"
    assert kwargs["repo_type"] == "dataset"
    assert kwargs["folder_path"] == tmp_path
    assert kwargs["commit_message"] == "Release 1.2.0"
    assert kwargs["delete_patterns"] == "*"
    api.create_tag.assert_called_once_with(
        "org/demo",
        tag="v1.2.0",
        tag_message="Release 1.2.0",
        revision="0123abcd" * 5,
        repo_type="dataset",
    )
    assert (result.tag, result.commit) == ("v1.2.0", "0123abcd" * 5)


def test_the_token_comes_from_hf_token_only(monkeypatch, tmp_path):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    with pytest.raises(ReleaseError, match="HF_TOKEN is not set"):
        hub.push_to_hub(tmp_path, repo_id="org/demo", version="1.0.0")
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    made = []

    def fake_api(*, token):
        made.append(token)
        return _api()

    monkeypatch.setattr("huggingface_hub.HfApi", fake_api)
    hub.push_to_hub(tmp_path, repo_id="org/demo", version="1.0.0")
    assert made == [TOKEN]


def test_release_pushes_after_building_and_never_writes_the_token(
    monkeypatch, tmp_path, paths, exports
):
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    api = _api()
    monkeypatch.setattr("huggingface_hub.HfApi", lambda *, token: api)
    result = release(
        gold_set(articles=paths.articles, exports=exports),
        out=tmp_path / "releases",
        dataset="demo",
        card_template=paths.card,
        project_root=paths.root,
        formats=(),
        push_to_hub="org/demo",
    )
    assert result.hub is not None and result.hub.tag == "v1.0.0"
    assert api.upload_folder.call_args.kwargs["folder_path"] == result.path
    card = (result.path / "README.md").read_text(encoding="utf-8")
    assert 'load_dataset("org/demo", "entities", revision="v1.0.0", split="train")' in card
    for p in result.path.rglob("*"):
        if p.is_file():
            assert TOKEN.encode() not in p.read_bytes(), p


def test_without_a_token_nothing_is_built(monkeypatch, tmp_path, paths, exports):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    with pytest.raises(ReleaseError, match="HF_TOKEN"):
        release(
            gold_set(articles=paths.articles, exports=exports),
            out=tmp_path / "releases",
            dataset="demo",
            card_template=paths.card,
            push_to_hub="org/demo",
        )
    assert not (tmp_path / "releases").exists()
