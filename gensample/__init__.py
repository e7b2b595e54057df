"""gensample: synthetic customer data with realistic duplicates and exact ground truth."""

from gensample.version import __version__

__all__ = ["__version__"]
