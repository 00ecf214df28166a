"""The issues of a run as a stream, with a bounded summary in memory.

A run over a large export may find an issue in every record. :class:`IssueLog` keeps what
a report needs to say about them in bounded memory — the counts per code and per file and
the first :data:`EXAMPLES` errors and warnings — hands each issue, as it is found, to a
callback (the CLI prints it as one line), and spools every one to an anonymous temporary
file, from which :func:`write_report_json` writes the JSON report as a stream, byte for
byte what ``json.dumps(report.to_dict(), indent=2)`` would give.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from annotate.model import Issue

__all__ = ["EXAMPLES", "IssueLog", "IssueSink", "dump_json_stream"]

EXAMPLES = 200  # issues of each severity kept in memory (the table shows as many)

IssueSink = Callable[[Issue], None]


@dataclass(slots=True)
class IssueLog:
    """Every issue of a run: counted, the first ``examples`` of each severity kept,
    each handed to ``sink`` when found, and (``spool``) written to a temporary file so
    that a report can list them all without holding them."""

    examples: int | None = EXAMPLES  # None: keep every issue in memory
    sink: IssueSink | None = None
    spool: bool = True
    by_code: Counter[str] = field(default_factory=Counter)
    by_file: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)  # per severity
    _files: dict[str, IO[str]] = field(default_factory=dict)

    def add(self, issue: Issue, kept: list[Issue], *, bounded: bool = True) -> None:
        """Count ``issue``, keep it in ``kept`` while that is under the bound (always, and
        not spooled, when not ``bounded``), and pass it on."""
        self.by_code[issue.code] += 1
        self.by_file[issue.file or "<input>"] += 1
        self.counts[issue.severity] += 1
        if not bounded or self.examples is None or len(kept) < self.examples:
            kept.append(issue)
        if self.spool and bounded:
            fh = self._files.get(issue.severity)
            if fh is None:
                fh = self._files[issue.severity] = tempfile.TemporaryFile(  # noqa: SIM115
                    "w+", encoding="utf-8", prefix="annotate-issues-"
                )  # kept open for the run; closed by close(), or deleted with the process
            fh.write(json.dumps(issue.to_dict(), ensure_ascii=False, default=str) + "\n")
        if self.sink is not None:
            self.sink(issue)

    def complete(self, severity: str, kept: int) -> bool:
        """Whether ``kept`` issues of ``severity`` are every one of them."""
        return not self.spool or self.counts[severity] <= kept

    def spooled(self, severity: str) -> Iterator[dict[str, Any]]:
        """Every issue of ``severity`` in the order found (``to_dict`` form)."""
        fh = self._files.get(severity)
        if fh is None:
            return
        fh.flush()
        fh.seek(0)
        for line in fh:
            yield json.loads(line)
        fh.seek(0, 2)  # back to the end: more issues may follow

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()


def dump_json_stream(
    head: dict[str, Any], lists: Mapping[str, Iterable[Any]], out: IO[str]
) -> None:
    """Write ``{**head, **lists}`` to ``out`` exactly as ``json.dumps(…, indent=2,
    ensure_ascii=False, default=str)`` followed by a new line would, with the values of
    ``lists`` (iterables, perhaps long) written one item at a time."""

    def dumps(obj: Any) -> str:
        return json.dumps(obj, ensure_ascii=False, indent=2, default=str)

    if not lists:
        out.write(dumps(head) + "\n")
        return
    opening = dumps(head)[:-2] + "," if head else "{"  # '…\n}' without the closing '\n}'
    out.write(opening)
    for n, (key, items) in enumerate(lists.items()):
        out.write(("," if n else "") + "\n  " + json.dumps(key, ensure_ascii=False) + ": [")
        empty = True
        for item in items:
            text = dumps(item).replace("\n", "\n    ")
            out.write(("\n    " if empty else ",\n    ") + text)
            empty = False
        out.write("]" if empty else "\n  ]")
    out.write("\n}\n")
