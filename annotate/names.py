"""Names are names: dataset names, versions, Hub repository ids and project prefixes are
checked before any work, and every path the toolkit writes is checked to stay under its
root.

A bad name is a :class:`~annotate.errors.ConfigError` (bad usage, exit 2) that says what
was given and what is accepted. ``--dataset ../../evil`` or ``--version 1.0.0/../../y`` is
refused before anything is read or written, instead of writing outside ``releases/`` (or
failing with a traceback after the whole build).
"""

from __future__ import annotations

import hashlib
import re
from os import PathLike
from pathlib import Path

from annotate.errors import ConfigError

__all__ = [
    "SEMVER",
    "check_dataset_name",
    "check_prefix",
    "check_repo_id",
    "check_version",
    "path_under",
    "pseudonym",
]

# Semantic Versioning 2.0.0 (https://semver.org), build metadata allowed.
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$"
)
_SLUG = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
DATASET_MAX_LEN = 96  # the Hub's limit for a repository name
# A prefix starts a Label Studio project title ("<prefix> · Entities", at most 50
# characters) and may name folders of pulled labels: words, digits, spaces, - _ .
_PREFIX = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9])?$")
PREFIX_MAX_LEN = 30


def check_dataset_name(name: str) -> str:
    """``name`` if it is a safe slug (letters, digits, ``-``, ``_``, ``.``; starts and ends
    with a letter or digit; no ``..``); a ConfigError otherwise."""
    if not isinstance(name, str) or not name:
        raise ConfigError("the dataset name is empty", hint="e.g. --dataset my-corpus-annotations")
    if len(name) > DATASET_MAX_LEN or not _SLUG.match(name) or ".." in name:
        raise ConfigError(
            f"dataset name {name!r} is not a safe name: use letters, digits, '-', '_' and '.' "
            f"(starting and ending with a letter or digit, no '..', no '/', at most "
            f"{DATASET_MAX_LEN} characters)",
            hint="e.g. --dataset stargate-fr-annotations",
        )
    return name


def check_version(version: str) -> str:
    """``version`` if it is a semantic version (``1.2.0``, ``1.0.0-rc.1``); a ConfigError
    otherwise (``../x`` and ``1.0.0/../../y`` are not)."""
    if not isinstance(version, str) or not SEMVER.match(version):
        raise ConfigError(
            f"version {version!r} is not a semantic version (MAJOR.MINOR.PATCH, optionally "
            "-PRERELEASE)",
            hint="e.g. --version 1.0.0 or --version 1.1.0-rc.1",
        )
    return version


def check_repo_id(repo_id: str) -> str:
    """``repo_id`` if the Hub accepts it as a dataset repository id (``owner/name`` or
    ``name``: letters, digits, ``-``, ``_``, ``.``; no ``--`` or ``..``; at most 96
    characters; not ending in ``.git``); a ConfigError otherwise."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(repo_id)
    except HFValidationError as exc:
        first = str(exc).split("\n", 1)[0]
        raise ConfigError(
            f"--push-to-hub {repo_id!r} is not a Hub repository id: {first}",
            hint="e.g. --push-to-hub my-org/stargate-fr-annotations",
        ) from exc
    return repo_id


def check_prefix(prefix: str) -> str:
    """``prefix`` if it can start a Label Studio project title and name a folder: letters,
    digits, spaces, ``-``, ``_``, ``.`` (starting and ending with a letter or digit, no
    ``..``), at most 30 characters; a ConfigError otherwise."""
    if (
        not isinstance(prefix, str)
        or len(prefix) > PREFIX_MAX_LEN
        or not _PREFIX.match(prefix)
        or ".." in prefix
    ):
        raise ConfigError(
            f"project prefix {prefix!r} is not accepted: use letters, digits, spaces, '-', "
            f"'_' and '.' (starting and ending with a letter or digit, no '..', at most "
            f"{PREFIX_MAX_LEN} characters)",
            hint="e.g. --prefix annotate or --prefix my-team",
        )
    return prefix


def path_under(root: str | PathLike[str], *parts: str | PathLike[str]) -> Path:
    """``root / parts…``, checked to stay under ``root`` once ``..`` and symbolic links are
    resolved; a ConfigError naming the path otherwise. Use it wherever a path to write is
    made from a name."""
    base = Path(root)
    path = base.joinpath(*parts)
    resolved_root = base.resolve()
    if not path.resolve().is_relative_to(resolved_root):
        raise ConfigError(
            f"{path} is outside {base}; annotate writes only under it",
            file=path,
            hint="names may not contain '/', '..' or be absolute paths",
        )
    return path


_PSEUDONYM = re.compile(r"r[0-9a-f]{8}")


def pseudonym(annotator: str) -> str:
    """A stable pseudonym for a Label Studio user (often an e-mail), so that releases name
    raters without publishing who they are; consensus names keep their structure."""
    if annotator.startswith("consensus:"):
        # sorted again: the names sort differently once they are pseudonyms
        return "consensus:" + "+".join(sorted(pseudonym(a) for a in annotator[10:].split("+")))
    if _PSEUDONYM.fullmatch(annotator):  # already one (a file a release wrote, read back)
        return annotator
    return "r" + hashlib.sha256(annotator.encode("utf-8")).hexdigest()[:8]
