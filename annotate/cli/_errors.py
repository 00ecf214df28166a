"""The one place where an error becomes a message and an exit code.

Every command registered on the app (see :class:`annotate.cli._app.App`) runs inside
:func:`handles_errors`, so a command body holds no ``try/except``:

- an :class:`~annotate.errors.AnnotateError` prints ``error: <where>: <what>`` and, on the
  next line, ``hint: <what to do>``; exit 2 for a :class:`~annotate.errors.ConfigError`
  (bad usage), 1 for anything else;
- anything else that escapes (an ``OSError`` such as a full disk or a file that can't be
  written, a corrupt JSON file, a bug) prints one line naming what it can and a hint,
  exit 1 — never a traceback;
- Ctrl-C prints ``interrupted``, exit 130; a closed pipe (``annotate … | head``) ends
  quietly.

Set ``ANNOTATE_DEBUG=1`` to let every exception through with its traceback.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar, cast

import click
import typer
from rich.console import Console
from rich.markup import escape
from typer.exceptions import TyperException

from annotate.errors import AnnotateError, ConfigError

__all__ = ["DEBUG_ENV", "describe", "exit_code", "fail", "handles_errors"]

DEBUG_ENV = "ANNOTATE_DEBUG"
F = TypeVar("F", bound=Callable[..., Any])

_err = Console(stderr=True, soft_wrap=True, highlight=False)

_OS_HINTS = {
    errno.ENOSPC: "the disk is full: free some space or write somewhere else",
    errno.EDQUOT: "the disk quota is used up: free some space or write somewhere else",
    errno.EACCES: "check the permissions of the file and its directory, or choose another path",
    errno.EPERM: "check the permissions of the file and its directory, or choose another path",
    errno.EROFS: "the file system is read-only: write somewhere else",
    errno.EISDIR: "a file was expected here, not a directory: give the path of a file",
    errno.ENOTDIR: "a part of this path is a file, not a directory: check the path",
    errno.ENOENT: "check the path (it is relative to the current directory)",
    errno.EEXIST: "the path already exists: remove it or choose another one",
    errno.ENAMETOOLONG: "the path is too long: choose a shorter one",
}
_BUG_HINT = f"this is a bug in annotate: rerun with {DEBUG_ENV}=1 and report the traceback"


def _debug() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no")


def exit_code(exc: BaseException) -> int:
    """2 for bad usage (a :class:`ConfigError`), 1 for any other failed run."""
    return 2 if isinstance(exc, ConfigError) else 1


def _os_error(exc: OSError) -> tuple[str, str | None]:
    names = [str(n) for n in (exc.filename, exc.filename2) if n is not None]
    what = exc.strerror or str(exc) or type(exc).__name__
    where = " → ".join(names)
    return (f"{where}: {what}" if where else what), _OS_HINTS.get(exc.errno or -1)


def describe(exc: BaseException) -> tuple[str, str | None]:
    """The message (with the place it is about, when known) and the hint for an exception."""
    if isinstance(exc, AnnotateError):
        text = f"{exc.location}: {exc.message}" if exc.location else exc.message
        return text, exc.hint
    if isinstance(exc, OSError):
        return _os_error(exc)
    if isinstance(exc, json.JSONDecodeError):
        return (
            f"a file is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}",
            f"check that the file is complete JSON; rerun with {DEBUG_ENV}=1 to see which file",
        )
    if isinstance(exc, UnicodeDecodeError):
        return (
            f"a file is not UTF-8 text (byte {exc.start}): {exc.reason}",
            f"save the file as UTF-8; rerun with {DEBUG_ENV}=1 to see which file",
        )
    if isinstance(exc, MemoryError):
        return "out of memory", "give the command less input at a time, or more memory"
    return f"unexpected {type(exc).__name__}: {exc}", _BUG_HINT


def fail(exc: BaseException) -> NoReturn:
    """Print the message (and hint) for ``exc`` on stderr and exit with its code."""
    message, hint = describe(exc)
    _err.print(f"[bold red]error:[/] {escape(message)}")
    if hint:
        _err.print(f"  [bold]hint:[/] {escape(hint)}")
    raise typer.Exit(exit_code(exc))


def _closed_pipe() -> NoReturn:
    # The reader went away (`annotate … | head`): stop quietly. Point stdout at devnull so
    # the interpreter's last flush doesn't raise again (as the Python docs on SIGPIPE advise).
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout has no descriptor (in-process test runners)
        pass
    raise typer.Exit(1)


def handles_errors(command: F) -> F:
    """Run ``command`` so that no exception reaches the user as a traceback."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, TyperException, click.exceptions.Exit, click.Abort):
            raise  # an exit code chosen on purpose, or bad usage (Typer prints it, exit 2)
        except KeyboardInterrupt:
            if _debug():
                raise
            _err.print("interrupted")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            if _debug():
                raise
            _closed_pipe()
        except Exception as exc:
            if _debug():
                raise
            fail(exc)

    run.handles_errors = True  # type: ignore[attr-defined]  # checked by the CLI tests
    return cast(F, run)
