"""Files written whole or not at all: a temporary file beside the target, flushed and
fsynced, then renamed over it (POSIX ``rename`` is atomic), so that a crash, a kill or a
full disk leaves the old file (or none), never a half-written one.

A write that fails for lack of space or permission is a :class:`~annotate.errors.FileWriteError`
naming the file, with a hint; the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from annotate.errors import FileWriteError

__all__ = ["atomic_open", "write_atomic", "write_error"]

_HINTS = {
    errno.ENOSPC: "the disk is full: free some space and rerun",
    errno.EDQUOT: "the disk quota is exceeded: free some space and rerun",
    errno.EACCES: "no permission to write there: check the folder's permissions",
    errno.EROFS: "the file system is read-only",
    errno.ENOTDIR: "a file stands where a folder should be: pass a folder",
    errno.EEXIST: "a file stands where a folder should be: pass a folder",
    errno.EISDIR: "a folder stands where a file should be",
}


def write_error(path: Path, exc: OSError) -> FileWriteError:
    """A FileWriteError for a failed write of ``path``, with a hint for the usual causes."""
    reason = exc.strerror or type(exc).__name__
    return FileWriteError(
        f"cannot write: {reason}",
        file=path,
        hint=_HINTS.get(exc.errno or 0, "nothing was written; rerun when the cause is fixed"),
    )


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], *, mode: int = 0o644) -> Iterator[IO[bytes]]:
    """A binary file to write ``path`` through: it replaces ``path`` when the block ends
    without an error, and disappears otherwise (streaming writers use this)."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise write_error(target, exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise write_error(target, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def write_atomic(path: str | os.PathLike[str], data: bytes | str, *, mode: int = 0o644) -> Path:
    """Write ``data`` (text is UTF-8) to ``path`` atomically; returns the path."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_open(path, mode=mode) as fh:
        fh.write(payload)
    return Path(path)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable too (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
