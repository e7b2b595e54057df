"""``gensample spec-schema``: print the JSON Schema of spec files."""

import argparse
import json

from gensample.generate.spec.schema import SCHEMA

HELP = "print the JSON Schema that spec files (declarative datasets) must satisfy"
EXAMPLE = "gensample spec-schema > spec.schema.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command has no arguments of its own."""


def run(arguments: argparse.Namespace) -> int:
    """Print the schema as indented JSON."""
    print(json.dumps(SCHEMA, indent=2))
    return 0
