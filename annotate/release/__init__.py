"""Releases: versioned, verifiable dataset directories built from pinned exports.

``build_release`` writes one version; ``release`` chooses the next version from what
changed and writes the changelog, training formats and (optionally) pushes to the Hub;
``diff_release`` says what changed; ``verify_release`` checks a release;
``reproduce_release`` rebuilds one from its pinned inputs and compares. Submodules are
imported lazily by the CLI; this module only names the public functions (readers of
other people's data, like the WMT MQM import, are in :mod:`annotate.sources`).
"""

from __future__ import annotations

from annotate.release.build import BuildResult, build_release
from annotate.release.changes import ReleaseDiff
from annotate.release.diff import diff_releases
from annotate.release.mqm import write_mqm_tsv, write_wmt_tsv
from annotate.release.publish import ReleaseResult, diff_release, release
from annotate.release.reproduce import ReproduceReport, reproduce_release
from annotate.release.verify import VerifyReport, verify_release

__all__ = [
    "BuildResult",
    "ReleaseDiff",
    "ReleaseResult",
    "ReproduceReport",
    "VerifyReport",
    "build_release",
    "diff_release",
    "diff_releases",
    "release",
    "reproduce_release",
    "verify_release",
    "write_mqm_tsv",
    "write_wmt_tsv",
]
