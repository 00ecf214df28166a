"""Names are names: dataset names, versions, Hub repository ids and project prefixes are
checked before any work, and every path the toolkit writes is checked to stay under its
root.

A bad name is a :class:`~annotate.errors.ConfigError` (bad usage, exit 2) that says what
was given and what is accepted. ``--dataset ../../evil`` or ``--version 1.0.0/../../y`` is
refused before anything is read or written, instead of writing outside ``releases/`` (or
failing with a traceback after the whole build).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from os import PathLike
from pathlib import Path

from annotate.errors import ConfigError

__all__ = [
    "HUB_LICENSES",
    "SEMVER",
    "check_dataset_name",
    "check_license",
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
# The license identifiers a Hub card's `license` takes (huggingface/hub-docs,
# docs/hub/repositories-licenses.md); any other license is "other" with a name and a link.
_HUB_LICENSE_IDS = """apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m
    bigscience-bloom-rail-1.0 bigcode-openrail-m afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause
    bsd-3-clause bsd-3-clause-clear c-uda cc cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0
    cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0 cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nd-4.0
    cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0 cc-by-nc-sa-3.0 cc-by-nc-sa-4.0
    cdla-sharing-1.0 cdla-permissive-1.0 cdla-permissive-2.0 wtfpl ecl-2.0 epl-1.0 epl-2.0
    etalab-2.0 eupl-1.1 agpl-3.0 gfdl gpl gpl-2.0 gpl-3.0 lgpl lgpl-2.1 lgpl-3.0 isc lppl-1.3c
    ms-pl mpl-2.0 odc-by odbl openrail++ osl-3.0 postgresql ofl-1.1 ncsa unlicense zlib pddl
    lgpl-lr deepfloyd-if-license llama2 llama3 llama3.1 llama3.2 gemma unknown other"""
HUB_LICENSES = frozenset(_HUB_LICENSE_IDS.split())


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


def check_license(license: str) -> str:
    """``license`` if the Hub knows it (:data:`HUB_LICENSES`); a ConfigError naming the
    closest one otherwise: the card would publish a license nobody can read."""
    if license in HUB_LICENSES:
        return license
    close = difflib.get_close_matches(str(license).lower(), sorted(HUB_LICENSES), n=1)
    did_you_mean = f" (did you mean {close[0]!r}?)" if close else ""
    raise ConfigError(
        f"license {license!r} is not a Hub license identifier{did_you_mean}",
        hint="use one in lower case, e.g. cc-by-4.0 or cc-by-nc-sa-4.0 (the list: "
        "https://huggingface.co/docs/hub/repositories-licenses), or license 'other' with "
        "license_name and license_link in annotate.toml",
    )


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
