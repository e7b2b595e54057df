"""``gensample prune``: remove old committed days, keeping the ids they took."""

import argparse
import datetime as dt

from gensample.cli.common import count, dir_argument, require_run_dir
from gensample.daily import pruning
from gensample.daily.rundir import RunDirectory

HELP = "remove old days from out/, keeping their ids"
EXAMPLE = "gensample prune --dir /data/gensample/mdm-test --keep-days 14 --dry-run"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    dir_argument(parser)
    parser.add_argument(
        "--keep-days",
        type=count,
        required=True,
        metavar="N",
        help="remove committed days more than N days before today",
    )
    parser.add_argument("--dry-run", action="store_true", help="list what would be removed")


def run(arguments: argparse.Namespace) -> int:
    """Prune and print what was (or would be) removed."""
    require_run_dir(arguments.dir)
    pruned = pruning.prune(
        RunDirectory(arguments.dir), arguments.keep_days, dt.date.today(), arguments.dry_run
    )
    print(pruning.describe_pruned(pruned, arguments.dry_run))
    return 0
