"""What every push shares, the streamed one (:mod:`annotate.labelstudio.push_stream`) and
the review's (:mod:`annotate.labelstudio.review`): the projects' titles, their instructions
from the guidelines, the error over bad input, and what a push reports per layer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotate.errors import CorpusError
from annotate.layers import get_layer

__all__ = [
    "PushResult",
    "bad_input_error",
    "guidelines_html",
    "guidelines_text",
    "nothing_to_push_error",
    "project_title",
    "review_title",
]


def project_title(prefix: str, layer: str) -> str:
    return f"{prefix} · {get_layer(layer).taxonomy.title}"


def review_title(prefix: str, layer: str) -> str:
    """The title of the layer's adjudication project (:mod:`annotate.labelstudio.review`)."""
    return f"{prefix} · {layer} · review"


def guidelines_text(guidelines: Path | None) -> str:
    """The guidelines' Markdown: the file given, else the toolkit's own; a file that is
    not there is an error (projects must not get empty instructions silently)."""
    if guidelines is None:
        from annotate.project import packaged_guidelines

        return packaged_guidelines()
    if not guidelines.is_file():
        from annotate.errors import ConfigError

        raise ConfigError(
            "guidelines not found",
            file=guidelines,
            hint="pass --guidelines FILE, or set [paths] guidelines in annotate.toml",
        )
    return guidelines.read_text(encoding="utf-8")


def guidelines_html(guidelines: Path | None, layer: str) -> str:
    """The layer's section of the guidelines (from its ``## <Layer>`` heading to the next
    ``## ``), rendered to HTML with tables, for the project's instructions."""
    from markdown_it import MarkdownIt

    text = guidelines_text(guidelines)
    wanted = layer.replace("_", " ").lower()
    sections = re.split(r"(?m)^(?=## )", text)
    chosen = [
        s for s in sections if s.startswith("## ") and s[3:].strip().lower().startswith(wanted)
    ]
    return MarkdownIt("commonmark").enable("table").render(chosen[0] if chosen else text)


def bad_input_error(
    problems: Sequence[CorpusError], *, path: Path | Sequence[Path], any_good: bool
) -> CorpusError:
    """The error that stops a push over bad files or lines, listing every one of them."""
    listing = "\n".join(f"  {p}" for p in problems)
    return CorpusError(
        f"{len(problems)} bad {'file or line' if len(problems) == 1 else 'files or lines'}"
        f" in the articles; nothing was pushed:\n{listing}",
        file=path if isinstance(path, Path) else None,
        hint="fix them, or pass --skip-invalid to push the valid ones"
        if any_good
        else "no valid article is left to push",
    )


def nothing_to_push_error(
    layers: Sequence[str], *, path: Path | Sequence[Path], task_files: bool = False
) -> CorpusError:
    """The error that stops a push that has no task for any of its layers (an empty table
    with exit 0 looked like a push done)."""
    names = ", ".join(layers)
    if task_files:
        what = f"the task files hold no task of the layers {names}"
        hint = "pass --layers with the layers the tasks were made for (their data.layer)"
    else:
        what = f"no document of the articles gets a task of the layers {names}"
        hint = (
            "translation_errors (MQM) is only for machine-translated articles (metadata "
            "machine_translated or source_lang): mark them so, pass --all-documents to push "
            "it for every article, or choose other --layers"
        )
    file = path if isinstance(path, Path) else None
    return CorpusError(f"{what}; nothing was pushed", file=file, hint=hint)


@dataclass(slots=True)
class PushResult:
    layer: str
    project_id: int
    project_title: str
    created_project: bool
    tasks_created: int
    tasks_skipped: int
    duplicates_removed: int = 0  # this push's copies of tasks a concurrent push made first
    documents: int = 0  # the documents the layer applies to (MQM: machine-translated)
    settings_changed: list[str] = field(default_factory=list)  # project fields team set
