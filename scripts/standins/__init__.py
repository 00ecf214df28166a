"""Stand-ins for people, used by the demo, the reference-exports script and the tests —
not part of the ``annotate`` package (no command imports them):

- :mod:`standins.worksheets` — hand-written reference worksheets → records;
- :mod:`standins.submit` — submit records to Label Studio as a given annotator;
- :mod:`standins.workflow` — the passes the demo and ``reference_exports.py`` submit.

Scripts in ``scripts/`` import them as ``standins``; pytest puts ``scripts/`` on the path
(``pythonpath`` in pyproject.toml).
"""

__all__: list[str] = []
