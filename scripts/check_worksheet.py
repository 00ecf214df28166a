"""Check reference worksheets: every span resolves, matches the text and passes validation.

Usage: python scripts/check_worksheet.py data/reference/pass-a.json [...]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from standins.worksheets import load_worksheet

from annotate.corpus import read_articles


def main(paths: list[str]) -> int:
    doc = next(iter(read_articles("data/articles")))
    bad = 0
    for p in paths:
        ws = load_worksheet(Path(p), doc)
        for issue in ws.issues:
            print(f"{issue}")
        bad += len(ws.issues)
        for layer, recs in ws.records.items():
            labels = Counter(s.label for r in recs for s in r.spans)
            print(f"{p} {layer}: {sum(len(r.spans) for r in recs)} spans {dict(labels)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
