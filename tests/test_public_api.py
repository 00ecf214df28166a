"""Every module declares its public names in ``__all__`` (kept sorted by ruff's RUF022)
and defines every name it lists; what it defines publicly is listed."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import annotate

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(annotate.__path__, "annotate.")
    if not m.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_what_the_module_defines(name: str) -> None:
    module = importlib.import_module(name)
    public = getattr(module, "__all__", None)
    assert public is not None, f"{name} has no __all__"
    missing = [n for n in public if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names undefined {missing}"
    own = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_") and callable(v) and getattr(v, "__module__", None) == name
    }
    unlisted = sorted(own - set(public) - {"main"})
    assert not unlisted, f"{name} defines public names missing from __all__: {unlisted}"


def test_top_level_api() -> None:
    assert annotate.__version__
    doc = annotate.make_document("Le texte.", lang="fr")
    assert isinstance(doc, annotate.Document)
    assert annotate.layer_names() == ["entities", "claims", "translation_errors"]


def test_the_stage_entry_points_are_the_ones_the_docstring_promises() -> None:
    """Each stage entry point loads on first use from the module that defines it, and the
    package docstring shows it."""
    stages = annotate._STAGES
    assert stages, "the stage table is empty"
    for name, module in stages.items():
        function = getattr(annotate, name)
        assert function is getattr(importlib.import_module(module), name)
        assert function.__module__ == module, name
        assert f"annotate.{name}(" in (annotate.__doc__ or ""), f"the docstring omits {name}"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        annotate.nothing  # noqa: B018
