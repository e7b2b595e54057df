"""``gensample schema``: print the data dictionary (Markdown)."""

import argparse
from pathlib import Path

from gensample.cli.common import load_settings
from gensample.output.dictionary import SPEC_TABLES, render_markdown, spec_tables

HELP = "print the data dictionary: tables, columns, keys, meanings"
EXAMPLE = "gensample schema > data-dictionary.md"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--dir``: a run directory whose spec files' datasets are added."""
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="a run directory: the datasets its spec files declare are added",
    )


def run(arguments: argparse.Namespace) -> int:
    """Print every table, column, key and meaning."""
    recorded = {}
    if arguments.dir is not None:
        recorded[SPEC_TABLES] = spec_tables(load_settings(arguments.dir))
    print(render_markdown(recorded), end="")
    return 0
