"""annotate: articles → Label Studio tasks → validated labels → versioned datasets."""

__version__ = "0.1.0"
