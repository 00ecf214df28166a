"""Atomic writes: whole or not at all, with a one-line error for a full disk."""

from __future__ import annotations

import errno
import os

import pytest

from annotate.errors import FileWriteError
from annotate.files import atomic_open, write_atomic


def test_write_atomic_replaces_the_file(tmp_path):
    path = tmp_path / "sub" / "pins.json"
    write_atomic(path, "old\n")
    write_atomic(path, b"new\n")
    assert path.read_bytes() == b"new\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["pins.json"]


def test_a_full_disk_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "pins.json"
    path.write_text("old\n")

    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(FileWriteError) as caught:
        write_atomic(path, "new and longer\n")
    assert "No space left on device" in str(caught.value)
    assert "disk is full" in str(caught.value) and str(path) in str(caught.value)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["pins.json"]


def test_a_failing_stream_writes_nothing(tmp_path):
    path = tmp_path / "export.json"

    def download() -> None:
        with atomic_open(path) as fh:
            fh.write(b"half")
            raise RuntimeError("the download broke")

    with pytest.raises(RuntimeError):
        download()
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_a_file_where_the_folder_should_be(tmp_path):
    (tmp_path / "labels").write_text("not a folder")
    with pytest.raises(FileWriteError, match="a file stands where a folder should be"):
        write_atomic(tmp_path / "labels" / "pins.json", "{}")
