"""gensample: synthetic customer data with realistic duplicates and exact ground truth."""

__version__ = "0.1.0"
