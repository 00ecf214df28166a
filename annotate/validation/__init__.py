"""The validation engine behind :mod:`annotate.validate` (its public face).

- :mod:`~annotate.validation.structural` — the layer's JSON Schema: compiled fast path,
  ``jsonschema`` to explain failures in plain words;
- :mod:`~annotate.validation.semantic` — the rules a schema cannot express;
- :mod:`~annotate.validation.engine` — records in, valid / quarantined / skipped out;
- :mod:`~annotate.validation.report` — the report, quarantine entries, output files;

The offset and word helpers it shares with the Label Studio reader are in :mod:`annotate.text`.
"""

__all__: list[str] = []
