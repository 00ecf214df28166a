"""The guidelines, shipped in the wheel as ``annotate._docs`` (``annotate init`` copies them)."""
