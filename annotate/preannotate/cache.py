"""A cache of predictions, so that a rerun of ``tasks`` or ``push`` recomputes nothing.

A prediction is stored under the sha256 of (document sha256, the segment it covers,
the predictor's ``version``). A predictor's version names the predictor and its release
and the model with its version (``entities.rules@1.0 (fr_core_news_sm-3.8.0)``, plus a
digest of user gazetteers): a changed predictor, model or gazetteer gives a new key, so it
is recomputed. The toolkit's own version is part of the key too, so that an upgrade
never serves predictions an older release of the rules made.

The cache is one SQLite file (safe for several processes at once) in
``$ANNOTATE_PREDICTION_CACHE``, else ``~/.cache/annotate/predictions/``; it is outside
the repository and can be deleted at any time.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from annotate.errors import ConfigError
from annotate.model import Document, Prediction, Relation, Span

__all__ = ["CACHE_ENV", "PredictionCache", "default_cache_dir", "prediction_key"]

CACHE_ENV = "ANNOTATE_PREDICTION_CACHE"
_FILE = "predictions.sqlite3"
_SQL_VARIABLES = 500  # keys per SELECT (SQLite allows 999 bound variables by default)


def default_cache_dir() -> Path:
    """``$ANNOTATE_PREDICTION_CACHE``, else ``~/.cache/annotate/predictions``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "annotate" / "predictions"


def prediction_key(document: Document, predictor_version: str) -> str:
    """The cache key of one predictor's prediction for one document (its whole text is the
    segment predictors work on)."""
    from annotate._version import __version__

    parts = (document.id, f"0:{len(document.text)}", predictor_version, __version__)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def _encode(prediction: Any) -> str:
    return json.dumps(
        {
            "doc_id": prediction.doc_id,
            "layer": prediction.layer,
            "model_version": prediction.model_version,
            "spans": [
                [s.id, s.start, s.end, s.text, s.label, s.score, s.attrs] for s in prediction.spans
            ],
            "relations": [[r.from_id, r.to_id, r.label] for r in prediction.relations],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _decode(text: str) -> Any:

    data = json.loads(text)
    return Prediction(
        doc_id=data["doc_id"],
        layer=data["layer"],
        model_version=data["model_version"],
        spans=[Span(i, a, b, t, lab, sc, dict(at)) for i, a, b, t, lab, sc, at in data["spans"]],
        relations=[Relation(f, t, lab) for f, t, lab in data["relations"]],
    )


class PredictionCache:
    """Predictions by :func:`prediction_key`, in ``<directory>/predictions.sqlite3``."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.path = self.directory / _FILE
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=60.0)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS predictions (key TEXT PRIMARY KEY, value TEXT)"
                )
            except (OSError, sqlite3.Error) as exc:
                raise ConfigError(
                    f"cannot open the prediction cache: {exc}",
                    file=str(self.path),
                    hint=f"set {CACHE_ENV} to a writable folder, or pass --no-cache",
                ) from exc
            self._db = db
        return self._db

    def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        """The cached predictions among `keys` (key -> Prediction)."""
        db = self._connect()
        found: dict[str, Any] = {}
        for start in range(0, len(keys), _SQL_VARIABLES):
            chunk = list(keys[start : start + _SQL_VARIABLES])
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT key, value FROM predictions WHERE key IN ({marks})", chunk)
            found.update((key, _decode(value)) for key, value in rows)
        return found

    def put_many(self, items: Iterable[tuple[str, Any]]) -> None:
        """Store (key, Prediction) pairs, in one transaction."""
        db = self._connect()
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO predictions (key, value) VALUES (?, ?)",
                    ((key, _encode(p)) for key, p in items),
                )
        except sqlite3.Error as exc:  # a full disk or a read-only cache: predictions stand
            raise ConfigError(
                f"cannot write the prediction cache: {exc}",
                file=str(self.path),
                hint=f"free some space, set {CACHE_ENV} elsewhere, or pass --no-cache",
            ) from exc

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
