"""The toolkit's version (kept apart so that modules can name it without importing the
package's public face)."""

__all__ = ["__version__"]

__version__ = "0.1.0"
