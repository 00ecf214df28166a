"""A dataset's license is one the Hub knows, or ``other`` (found by following the README as
a new team: ``annotate init --license nonsense`` and ``annotate build --license nonsense``
published a card with ``license: nonsense``, exit 0; the Hub reads its own identifiers
only, in lower case)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotate.cli import app
from annotate.errors import ConfigError
from annotate.names import HUB_LICENSES, check_license

runner = CliRunner()


@pytest.mark.parametrize("license", ["cc-by-4.0", "cc-by-nc-sa-4.0", "mit", "other", "odc-by"])
def test_hub_licenses_pass(license: str) -> None:
    assert license in HUB_LICENSES and check_license(license) == license


@pytest.mark.parametrize(
    ("license", "closest"),
    [("CC-BY-4.0", "cc-by-4.0"), ("cc-by-4", "cc-by-4.0"), ("nonsense", None)],
)
def test_other_licenses_are_refused_with_the_closest_one(license: str, closest) -> None:
    with pytest.raises(ConfigError) as info:
        check_license(license)
    assert repr(license) in info.value.message
    assert (f"did you mean {closest!r}" in info.value.message) == (closest is not None)
    assert info.value.hint and "'other'" in info.value.hint


def test_init_refuses_an_unknown_license_and_makes_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", "news", "--license", "nonsense"])
    assert result.exit_code == 2, result.output
    assert "not a Hub license identifier" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "news").exists()


def test_build_refuses_an_unknown_license_before_reading(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    made = runner.invoke(app, ["init", "news", "--license", "cc-by-4.0"])
    assert made.exit_code == 0, made.output
    monkeypatch.chdir(tmp_path / "news")
    for command in (["build", "--version", "1.0.0"], ["release"]):
        result = runner.invoke(app, [*command, "--license", "cc_by_4.0"])
        assert result.exit_code == 2, result.output
        assert "did you mean 'cc-by-4.0'" in result.output, result.output
    assert not (tmp_path / "news" / "releases").exists()
