"""The command line: parse, load settings, call one library function, map errors to exit codes.

One module per command, each with ``HELP``, ``EXAMPLE``, ``add_arguments(parser)`` and
``run(arguments) -> int``; :data:`COMMANDS` maps command names to them. Exit codes: 0 ok, 1 run
failed, 2 bad input (settings, files, arguments).
"""

import argparse
import logging
import os
import sys
from collections.abc import Sequence

import gensample.cli.without_pandas  # noqa: F401  (first: see there)
from gensample.cli import (
    check,
    export,
    init,
    load,
    prune,
    publish,
    run,
    schema,
    score,
    spec_schema,
    stream,
)
from gensample.daily.signals import Interrupted, stop_on_signals
from gensample.errors import GensampleError, RunError
from gensample.version import __version__

log = logging.getLogger("gensample")

COMMANDS = {
    "init": init,
    "run": run,
    "check": check,
    "publish": publish,
    "schema": schema,
    "spec-schema": spec_schema,
    "load": load,
    "prune": prune,
    "score": score,
    "export": export,
    "stream": stream,
}
"""Command name -> its module."""


def entry() -> None:
    """The ``gensample`` command (and ``python -m gensample``): :func:`main`, then exit at once.

    When :func:`main` returns, every file is written and synced and every worker has stopped, so
    the interpreter's teardown (freeing its objects one by one: 60 to 100 ms after a million
    customers) is skipped; only the output streams and log handlers need flushing first.
    """
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # the output's reader stopped early (``| head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = RunError.exit_code
    logging.shutdown()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    arguments = build_parser().parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(arguments.verbose, 2)]
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
    )
    try:
        with stop_on_signals():
            return arguments.command.run(arguments)
    except GensampleError as error:
        log.error("%s", error)
        return error.exit_code
    except Interrupted as stop:
        log.error("%s", stop)
        return RunError.exit_code


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="gensample",
        description="Synthetic customer data with duplicates and ground truth.",
        epilog="example:\n  gensample init demo && gensample run --dir demo",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"gensample {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        module.add_arguments(_command(commands, name, module))
    return parser


def _command(commands: argparse._SubParsersAction, name: str, module) -> argparse.ArgumentParser:
    """The parser of one command, with its help, example and ``-v``."""
    command = commands.add_parser(
        name,
        help=module.HELP,
        description=module.HELP,
        epilog="example:\n  " + module.EXAMPLE.replace("\n", "\n  "),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument(
        "-v", "--verbose", action="count", default=0, help="log progress (-v) or details (-vv)"
    )
    command.set_defaults(command=module)
    return command
