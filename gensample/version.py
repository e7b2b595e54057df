"""The version of gensample (in every manifest)."""

__version__ = "0.1.0"
