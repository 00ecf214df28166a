"""Names are checked before use, and paths made from names stay under their root."""

from __future__ import annotations

import pytest

from annotate.errors import ConfigError
from annotate.names import (
    check_dataset_name,
    check_prefix,
    check_repo_id,
    check_version,
    path_under,
)


@pytest.mark.parametrize("name", ["stargate-fr-annotations", "demo", "a", "wmt_22.en-de"])
def test_slugs_are_dataset_names(name):
    assert check_dataset_name(name) == name


@pytest.mark.parametrize(
    "name", ["", "../../evil", "..", "a/b", "a\\b", "/abs", ".hidden", "a..b", "x" * 97, "é"]
)
def test_separators_dots_and_absolute_paths_are_not(name):
    with pytest.raises(ConfigError, match="dataset name"):
        check_dataset_name(name)


@pytest.mark.parametrize("version", ["1.0.0", "0.0.0-dev", "1.2.3-rc.1+build.5"])
def test_semantic_versions(version):
    assert check_version(version) == version


@pytest.mark.parametrize("version", ["../x", "1.0.0/../../y", "1.0", "v1.0.0", "", "1.0.0/"])
def test_other_versions_are_refused(version):
    with pytest.raises(ConfigError, match="not a semantic version"):
        check_version(version)


@pytest.mark.parametrize("repo", ["org/demo", "demo", "my-org/stargate_fr.v1"])
def test_hub_repo_ids(repo):
    assert check_repo_id(repo) == repo


@pytest.mark.parametrize("repo", ["../evil", "a/b/c", "/abs", "org/a..b", "org/x.git", "a--b/c"])
def test_bad_hub_repo_ids(repo):
    with pytest.raises(ConfigError, match="not a Hub repository id"):
        check_repo_id(repo)


@pytest.mark.parametrize("prefix", ["annotate", "test-1a2b3c4d", "My team 2"])
def test_prefixes(prefix):
    assert check_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix", ["", "../x", "a/b", " a", "a\nb", "x" * 31])
def test_bad_prefixes(prefix):
    with pytest.raises(ConfigError, match="project prefix"):
        check_prefix(prefix)


def test_path_under_keeps_paths_inside(tmp_path):
    assert path_under(tmp_path, "a", "b.json") == tmp_path / "a" / "b.json"
    for parts in (("..", "x"), ("a/../../x",), ("/etc/passwd",)):
        with pytest.raises(ConfigError, match="outside"):
            path_under(tmp_path, *parts)


def test_path_under_follows_symbolic_links(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "link").symlink_to(tmp_path)
    with pytest.raises(ConfigError, match="outside"):
        path_under(tmp_path / "root", "link", "x")
