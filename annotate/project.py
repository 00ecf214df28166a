"""The project file, ``annotate.toml``: one corpus, one dataset, its settings and paths.

Every command finds the nearest ``annotate.toml`` upwards from the working directory (as
git does) with :func:`find_project`; flags override what it says; paths in it are relative
to the file. :func:`init_project` scaffolds a new project (``annotate init DIR``)::

    [project]
    dataset = "my-fr-news"          # the release name (a slug)
    license = "cc-by-4.0"           # a Hub license id; "other" wants license_name and license_link
    citation = ""                   # a BibTeX entry for the card (empty: a @misc one is made)
    language = "fr"                 # of articles without their own metadata
    layers = ["entities", "claims", "translation_errors"]
    predictors = ["entities.rules", "claims.cues"]

    [label_studio]
    prefix = "my-fr-news"           # projects are titled "<prefix> · <layer title>"

    [paths]
    corpus = ["articles"]           # files or folders of articles
    guidelines = "guidelines.md"    # the project instructions in Label Studio
    labels = "labels"               # raw exports and their pins
    releases = "releases"
    notes = "NOTES.md"              # provenance, rendered into the dataset card
    # card = "card.md"              # a dataset card template of your own (optional)

    [card]                          # the card's Hub metadata (optional; these are the defaults)
    # pretty_name = "my-fr-news"
    # annotations_creators = ["expert-generated"]
    # language_creators = ["found"]  # default: found, + machine-generated for translations
    # source_datasets = ["original"]
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from annotate.errors import ConfigError
from annotate.names import check_license

__all__ = [
    "PROJECT_FILE",
    "Project",
    "corpus_of",
    "current_project",
    "dataset_of",
    "find_project",
    "init_project",
    "load_project",
    "packaged_guidelines",
    "slug",
]

PROJECT_FILE = "annotate.toml"
DOCS_PACKAGE = "annotate._docs"
DEFAULT_LAYERS = ("entities", "claims", "translation_errors")
DEFAULT_PREDICTORS = ("entities.rules", "claims.cues", "translation_errors.checks")

_KNOWN = {
    "project": {
        "dataset",
        "license",
        "license_name",
        "license_link",
        "citation",
        "language",
        "layers",
        "predictors",
    },
    "card": {"pretty_name", "annotations_creators", "language_creators", "source_datasets"},
    "label_studio": {"prefix"},
    "paths": {"corpus", "guidelines", "labels", "releases", "notes", "card"},
}


@dataclass(frozen=True, slots=True)
class Project:
    """The settings of one project; every path is absolute (resolved against ``root``)."""

    root: Path
    dataset: str
    license: str = "other"
    license_name: str | None = None  # with license "other": its name and a link to it
    license_link: str | None = None
    citation: str = ""
    language: str | None = None
    layers: tuple[str, ...] = DEFAULT_LAYERS
    predictors: tuple[str, ...] = ()
    prefix: str = "annotate"
    corpus: tuple[Path, ...] = ()
    guidelines: Path | None = None
    labels: Path | None = None
    releases: Path | None = None
    notes: Path | None = None
    card: Path | None = None
    # [card]: the dataset card's Hub metadata (annotate.release.card_settings)
    card_metadata: dict[str, Any] = field(default_factory=dict, compare=False)
    file: Path | None = field(default=None, compare=False)

    @property
    def pins(self) -> Path:
        """The pins of this project's prefix: ``<labels>/<prefix>.pins.json``, or the
        legacy ``<labels>/pins.json`` of releases made before pins were per prefix while
        the project has none of its own yet."""
        labels = self.labels or self.root / "labels"
        own = labels / f"{slug(self.prefix)}.pins.json"
        legacy = labels / "pins.json"
        return legacy if not own.exists() and legacy.exists() else own


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _table(raw: dict[str, Any], name: str, file: Path) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{name}] must be a table", file=file, json_path=f"$.{name}")
    unknown = sorted(set(value) - _KNOWN[name])
    if unknown:
        raise ConfigError(
            f"unknown key(s) {', '.join(unknown)} in [{name}]",
            file=file,
            json_path=f"$.{name}.{unknown[0]}",
            hint=f"known keys of [{name}]: {', '.join(sorted(_KNOWN[name]))}",
        )
    return value


def _str(table: dict[str, Any], key: str, default: Any, file: Path, where: str) -> Any:
    value = table.get(key, default)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{key} must be a string", file=file, json_path=f"$.{where}.{key}")
    return value


def _strs(table: dict[str, Any], key: str, default: Any, file: Path, where: str) -> tuple[str, ...]:
    value = table.get(key, default)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            f"{key} must be a list of strings", file=file, json_path=f"$.{where}.{key}"
        )
    return tuple(value)


def load_project(file: Path) -> Project:
    """Read ``file`` (an ``annotate.toml``); raises :class:`ConfigError` naming the key."""
    file = file.resolve()
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=file) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read the project file: {exc.strerror}", file=file) from exc
    unknown = sorted(set(raw) - set(_KNOWN))
    if unknown:
        raise ConfigError(
            f"unknown table(s) {', '.join(unknown)}",
            file=file,
            hint=f"known tables: {', '.join(sorted(_KNOWN))}",
        )
    proj, ls, paths, card = (
        _table(raw, n, file) for n in ("project", "label_studio", "paths", "card")
    )
    root = file.parent
    dataset = _str(proj, "dataset", None, file, "project")
    if not dataset:
        raise ConfigError("the project names no dataset", file=file, json_path="$.project.dataset")

    def path(key: str, default: str | None) -> Path | None:
        value = _str(paths, key, default, file, "paths")
        return None if value is None else (root / value).resolve()

    return Project(
        root=root,
        dataset=dataset,
        license=_str(proj, "license", "other", file, "project"),
        license_name=_str(proj, "license_name", None, file, "project"),
        license_link=_str(proj, "license_link", None, file, "project"),
        citation=_str(proj, "citation", "", file, "project"),
        language=_str(proj, "language", None, file, "project"),
        layers=_strs(proj, "layers", DEFAULT_LAYERS, file, "project"),
        predictors=_strs(proj, "predictors", (), file, "project"),
        prefix=_str(ls, "prefix", slug(dataset), file, "label_studio"),
        corpus=tuple(
            (root / p).resolve() for p in _strs(paths, "corpus", ["articles"], file, "paths")
        ),
        guidelines=path("guidelines", "guidelines.md"),
        labels=path("labels", "labels"),
        releases=path("releases", "releases"),
        notes=path("notes", "NOTES.md"),
        card=path("card", None),
        card_metadata=_card_metadata(card, file),
        file=file,
    )


def _card_metadata(table: dict[str, Any], file: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "pretty_name" in table:
        out["pretty_name"] = _str(table, "pretty_name", None, file, "card")
    for key in ("annotations_creators", "language_creators", "source_datasets"):
        if key in table:
            out[key] = _strs(table, key, (), file, "card")
    return out


def find_project(start: Path | None = None) -> Project | None:
    """The project of the nearest ``annotate.toml`` in ``start`` (default: the working
    directory) or one of its parents; ``None`` when there is none."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return load_project(candidate)
    return None


def packaged_guidelines() -> str:
    """The annotation guidelines shipped with the toolkit (``docs/guidelines.md``)."""
    return resources.files(DOCS_PACKAGE).joinpath("guidelines.md").read_text(encoding="utf-8")


_TEMPLATE = """\
# The project file of annotate: every command run in this folder (or below) reads it.
# Paths are relative to this file; command-line flags override what it says.

[project]
dataset = "{dataset}"
license = "{license}"
# with license "other", the Hub asks for its name and a link to its terms:
# license_name = "my-license"
# license_link = "LICENSE.md"
citation = ""                   # a BibTeX entry for the dataset card (empty: a @misc one)
language = "{language}"
# translation_errors (MQM) is offered only for documents whose metadata says they are
# machine-translated ("machine_translated": true, or a "source_lang").
layers = ["entities", "claims", "translation_errors"]
predictors = ["entities.rules", "claims.cues", "translation_errors.checks"]

[card]
# the dataset card's Hub metadata; these are the defaults:
# annotations_creators = ["expert-generated"]   # or crowdsourced, machine-generated, …
# language_creators = ["found"]                 # + machine-generated for translations
# source_datasets = ["original"]

[label_studio]
prefix = "{prefix}"

[paths]
corpus = ["articles"]
guidelines = "guidelines.md"
labels = "labels"
releases = "releases"
notes = "NOTES.md"
"""

_NOTES = """\
How the annotations of **{dataset}** were made. This text becomes the provenance section
of the dataset card: replace every line below with what is true of your project.

**Where the articles come from.** (source, dates, licence of the texts; whether they are
original or machine-translated)

**Who annotated.** (how many annotators, their background, whether each article was
annotated once or by several people, how disagreements were resolved)

**Licensing caveat.** (what users of the dataset may and may not do with the texts)
"""


def init_project(
    directory: Path,
    *,
    dataset: str | None = None,
    language: str = "fr",
    license: str = "other",
    prefix: str | None = None,
) -> Project:
    """Scaffold a project in ``directory``: ``annotate.toml``, an empty ``articles/``, a
    copy of the guidelines to edit and a ``NOTES.md`` for provenance. Refuses to overwrite
    an existing project file."""
    directory = directory.resolve()
    target = directory / PROJECT_FILE
    if target.exists():
        raise ConfigError("a project file already exists here", file=target, hint="edit it instead")
    name = slug(dataset or directory.name)
    if not name:
        raise ConfigError(
            f"cannot make a dataset name of {dataset or directory.name!r}",
            hint="pass --dataset with letters or digits",
        )
    if directory.exists() and not directory.is_dir():
        raise ConfigError("not a directory", file=directory)
    check_license(license)
    (directory / "articles").mkdir(parents=True, exist_ok=True)
    for rel, text in (
        ("guidelines.md", packaged_guidelines()),
        ("NOTES.md", _NOTES.format(dataset=name)),
    ):
        if not (directory / rel).exists():
            (directory / rel).write_text(text, encoding="utf-8")
    target.write_text(
        _TEMPLATE.format(
            dataset=name, license=license, language=language, prefix=slug(prefix or name)
        ),
        encoding="utf-8",
    )
    return load_project(target)


def current_project(start: Path | None = None) -> Project:
    """The project of the nearest ``annotate.toml``, or, outside any project, settings with
    no dataset and no corpus (so nothing defaults to someone else's data) and the labels
    in ``data/labels`` of the working directory."""
    found = find_project(start)
    if found is not None:
        return found
    here = (start or Path.cwd()).resolve()
    return Project(
        root=here,
        dataset="",
        layers=DEFAULT_LAYERS,
        labels=here / "data" / "labels",
        releases=here / "releases",
    )


def corpus_of(project: Project, given: list[Path] | None) -> list[Path]:
    """The articles given on the command line, else the project's corpus."""
    if given:
        return list(given)
    if not project.corpus:
        raise ConfigError(
            "no articles given and no annotate.toml here or above",
            hint="pass the articles (a file or folder), or run `annotate init DIR` and work there",
        )
    return list(project.corpus)


def dataset_of(project: Project, given: str | None) -> str:
    """The dataset name given on the command line, else the project's."""
    name = given or project.dataset
    if not name:
        raise ConfigError(
            "no dataset name given and no annotate.toml here or above",
            hint="pass --dataset NAME, or run `annotate init DIR` and work there",
        )
    return name
