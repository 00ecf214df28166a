"""pins.json: a corrupt file is a one-line error with a hint; writes are atomic."""

from __future__ import annotations

import errno
import os

import pytest

from annotate.errors import AnnotateError, FileWriteError, ReleaseError
from annotate.pins import read_annotators, read_pins, write_annotators, write_pin


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ('{"layers": {"entities": [', "invalid JSON at line 1"),
        ("[]", "expected an object"),
        ('{"layers": []}', "expected an object"),
        ('{"layers": {"entities": [{"path": 3}]}}', "a pin needs a string 'path'"),
    ],
)
def test_a_corrupt_pins_file_is_one_line_with_a_hint(tmp_path, text, what):
    pins = tmp_path / "pins.json"
    pins.write_text(text)
    with pytest.raises(ReleaseError) as caught:
        read_pins(pins)
    message = str(caught.value)
    assert what in message and str(pins) in message and "pull again" in message
    assert "\n" not in message


def test_pull_does_not_write_over_a_corrupt_pins_file(tmp_path):
    pins = tmp_path / "pins.json"
    pins.write_text("{not json")
    with pytest.raises(ReleaseError, match="invalid JSON"):
        write_pin(pins, layer="entities", export_path=pins)
    assert pins.read_text() == "{not json"


def test_annotators_of_a_corrupt_file(tmp_path):
    pins = tmp_path / "pins.json"
    pins.write_text('{"layers": {}, "annotators": [1]}')
    with pytest.raises(ReleaseError, match="annotators"):
        read_annotators(pins)


def test_a_full_disk_keeps_the_old_pins(tmp_path, monkeypatch):
    export = tmp_path / "p" / "a.json"
    export.parent.mkdir()
    export.write_text("[]")
    pins = tmp_path / "pins.json"
    write_pin(pins, layer="entities", export_path=export)
    before = pins.read_bytes()

    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(FileWriteError, match="disk is full"):
        write_annotators(pins, {"1": "annotator-a"})
    assert pins.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p", "pins.json"]


def test_an_export_outside_the_pins_folder_is_refused(tmp_path):
    export = tmp_path / "elsewhere.json"
    export.write_text("[]")
    with pytest.raises(AnnotateError, match="outside"):
        write_pin(tmp_path / "labels" / "pins.json", layer="entities", export_path=export)
