"""The JSON Schemas of annotate, shipped inside the wheel as ``annotate._schema``."""
