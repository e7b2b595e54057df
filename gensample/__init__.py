"""gensample: synthetic customer data with realistic duplicates and exact ground truth.

The Python API (:func:`generate`, :func:`read_day`, :class:`Corpus`, :func:`score`,
:class:`Scores`; see docs/api.md) is imported on first use, so that ``import gensample`` and the
command line start without numpy or pyarrow, and ``python -m gensample`` imports nothing from
the current directory before ``__main__`` drops it from the path (only ``sys``, built in).
"""

import sys

from gensample.version import __version__

__all__ = ["Corpus", "Scores", "__version__", "generate", "read_day", "score"]
_EXPORTS = {
    "generate": "gensample.api",
    "read_day": "gensample.api",
    "Corpus": "gensample.api",
    "score": "gensample.score",
    "Scores": "gensample.score",
}
"""Exported name -> the module that defines it."""


def __getattr__(name: str):
    """An exported name of the API, imported on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gensample' has no attribute {name!r}")
    return getattr(__import__(_EXPORTS[name], fromlist=[name]), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


class _Package(type(sys.modules[__name__])):
    """The package, whose ``generate`` and ``score`` are the API's functions although
    subpackages have those names: importing a subpackage sets its name on the package, which
    these properties ignore (the subpackage stays in ``sys.modules``, where imports find it)."""

    generate = property(lambda _: __getattr__("generate"), lambda _, subpackage: None)
    score = property(lambda _: __getattr__("score"), lambda _, subpackage: None)


sys.modules[__name__].__class__ = _Package
