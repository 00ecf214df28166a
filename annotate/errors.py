"""The exception tree of annotate.

Every error the library raises derives from :class:`AnnotateError` and carries the
context it is about, so that a message can name the place to look::

    AnnotateError                 (file, task_id, annotation_id, json_path, hint)
     ├── ConfigError              bad options, unknown names (lists the known ones)
     ├── CorpusError              an article that cannot be read or normalised
     ├── SchemaError              a schema file that is not a valid JSON Schema
     ├── ExportError              a Label Studio export that cannot be read
     ├── ValidationFailed         validation found problems and the run was --strict
     ├── LabelStudioError         the server is missing, unreachable or refused a call
     ├── FileWriteError           a file that cannot be written (disk full, permissions)
     ├── EngineError              a distributed engine that cannot be reached or failed
     └── ReleaseError             a release that cannot be built, overwritten or verified

Messages and hints pass through :func:`annotate.redact.redact`: no error carries a token.
Library code raises these; only ``annotate.cli`` turns them into messages and exit codes.
"""

from __future__ import annotations

from os import PathLike

from annotate.redact import redact

__all__ = [
    "AnnotateError",
    "ConfigError",
    "CorpusError",
    "EngineError",
    "ExportError",
    "FileWriteError",
    "LabelStudioError",
    "ReleaseError",
    "SchemaError",
    "ValidationFailed",
]


class AnnotateError(Exception):
    """Base of every error raised by annotate, with the place it is about."""

    def __init__(
        self,
        message: str,
        *,
        file: str | PathLike[str] | None = None,
        task_id: int | str | None = None,
        annotation_id: int | str | None = None,
        json_path: str | None = None,
        hint: str | None = None,
    ) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.file = None if file is None else str(file)
        self.task_id = task_id
        self.annotation_id = annotation_id
        self.json_path = json_path
        self.hint = None if hint is None else redact(hint)

    @property
    def location(self) -> str:
        """Where the problem is, as `file task=… annotation=… at $.path`."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.task_id is not None:
            parts.append(f"task={self.task_id}")
        if self.annotation_id is not None:
            parts.append(f"annotation={self.annotation_id}")
        if self.json_path:
            parts.append(f"at {self.json_path}")
        return " ".join(parts)

    def __str__(self) -> str:
        text = self.message
        if self.location:
            text = f"{self.location}: {text}"
        if self.hint:
            text = f"{text} (hint: {self.hint})"
        return text


class ConfigError(AnnotateError):
    """Bad options or an unknown name; the message lists the known names."""


class CorpusError(AnnotateError):
    """An article that cannot be read, decoded or segmented."""


class SchemaError(AnnotateError):
    """A schema file that is not valid JSON or not a valid Draft 2020-12 schema."""


class ExportError(AnnotateError):
    """A Label Studio export (or another input file) that cannot be parsed."""


class ValidationFailed(AnnotateError):
    """Validation found problems and the caller asked to fail on any (``--strict``)."""


class LabelStudioError(AnnotateError):
    """The Label Studio server is not configured, not reachable, or refused a call."""


class ReleaseError(AnnotateError):
    """A release that cannot be built, would overwrite an existing version, or fails verification."""


class FileWriteError(AnnotateError):
    """A file that cannot be written (disk full, no permission, a file where a folder
    should be); nothing half-written is left behind."""


class EngineError(AnnotateError):
    """A distributed engine that cannot be reached (a scheduler address that does not
    answer) or that lost its workers."""
