"""Publish a release on the Hugging Face Hub: upload its directory to a dataset repository
and tag the commit with the version (``v1.2.0``), so that
``load_dataset(repo, config, revision="v1.2.0")`` gives exactly this release.

The token comes from the ``HF_TOKEN`` environment variable only and is passed to
``HfApi``; it is never logged, printed or written anywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate.errors import ReleaseError
from annotate.names import check_repo_id

__all__ = ["HubResult", "hub_token", "push_to_hub", "tag_name"]


@dataclass(slots=True)
class HubResult:
    repo_id: str
    tag: str
    commit: str | None
    url: str | None


def tag_name(version: str) -> str:
    return f"v{version}"


def hub_token() -> str:
    """The Hub token from HF_TOKEN; a clear error without it (checked before building)."""
    token = os.environ.get("HF_TOKEN")
    if not token:
        raise ReleaseError(
            "HF_TOKEN is not set",
            hint="export HF_TOKEN=<a write token from https://huggingface.co/settings/tokens>",
        )
    return token


def push_to_hub(
    release_dir: Path,
    *,
    repo_id: str,
    version: str,
    private: bool = False,
    api: Any = None,
) -> HubResult:
    """Upload ``release_dir`` to the dataset repository ``repo_id`` and tag the commit.

    ``api`` is an ``HfApi`` (made from HF_TOKEN when not given)."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    check_repo_id(repo_id)
    if api is None:
        api = HfApi(token=hub_token())
    tag = tag_name(version)
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id,
            repo_type="dataset",
            folder_path=release_dir,
            commit_message=f"Release {version}",
            commit_description="Built by annotate; manifest.json lists every file's sha256.",
            delete_patterns="*",  # the repository's tree becomes exactly this release
        )
        oid = getattr(commit, "oid", None)
        api.create_tag(
            repo_id,
            tag=tag,
            tag_message=f"Release {version}",
            revision=oid,
            repo_type="dataset",
        )
    except HfHubHTTPError as exc:
        # the message names the repository and the HTTP status, never the token
        raise ReleaseError(
            f"the Hub refused the upload of {version} to {repo_id}: {exc}",
            file=release_dir,
            hint="check that HF_TOKEN can write to the repository and that the tag is new",
        ) from exc
    return HubResult(repo_id, tag, oid, getattr(commit, "commit_url", None))
