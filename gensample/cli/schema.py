"""``gensample schema``: print the data dictionary (Markdown)."""

import argparse

from gensample.output.dictionary import render_markdown

HELP = "print the data dictionary: tables, columns, keys, meanings"
EXAMPLE = "gensample schema > data-dictionary.md"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command has no arguments of its own."""


def run(arguments: argparse.Namespace) -> int:
    """Print every table, column, key and meaning."""
    print(render_markdown(), end="")
    return 0
