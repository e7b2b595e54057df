"""Allow ``python -m gensample``."""

from gensample.cli import entry

entry()
