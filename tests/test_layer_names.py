"""Issue 10's acceptance check: outside annotate/layers/ and annotate/preannotate/, at
most four modules name a layer by its string (the modules that implement a layer-specific
training format, as MQM TSV or BIO, do not count). A layer name is a string constant equal
to the name of a shipped layer, found with ``ast`` (docstrings and comments never equal one)."""

from __future__ import annotations

import ast
from pathlib import Path

from annotate.layers import layer_names

PACKAGE = Path(__file__).resolve().parents[1] / "annotate"
OWN = ("layers/", "preannotate/")
# modules that implement a layer-specific training or interchange format
FORMATS = {
    "release/bio.py",
    "release/docbin.py",
    "release/formats.py",
    "release/mqm.py",
    "sources/mqm_import.py",
    "sources/wmt_mqm.py",
}
MAX_OFFENDERS = 4


def layer_name_constants(path: Path, names: set[str]) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names
    )


def test_the_counter_finds_layer_names(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""entities"""\nx = {"claims": 1}\ny = "entities"\n', encoding="utf-8")
    # the docstring counts too as a constant: it equals a name here, on purpose
    assert layer_name_constants(sample, {"claims", "entities"}) == [
        (1, "entities"),
        (2, "claims"),
        (3, "entities"),
    ]


def test_few_modules_outside_the_layers_name_a_layer():
    names = set(layer_names())
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(OWN) or rel in FORMATS:
            continue
        found = layer_name_constants(path, names)
        if found:
            offenders[rel] = found
    for rel, found in offenders.items():
        print(f"annotate/{rel}: " + ", ".join(f"line {n} {v!r}" for n, v in found))
    assert len(offenders) <= MAX_OFFENDERS, sorted(offenders)
