"""Readers of other people's data: foreign Label Studio exports (which text their regions
index, label maps onto our layers) and WMT MQM files."""

__all__: list[str] = []
