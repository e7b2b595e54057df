"""``gensample export``: a committed day as Parquet files and a dataset card, ready to share."""

import argparse
import datetime as dt
from pathlib import Path

from gensample.cli.common import date_argument, dir_argument, existing_day
from gensample.errors import BadInputError
from gensample.export import export_day, push_folder, push_token
from gensample.export.folder import LICENSES, describe_export

HELP = "export a day as Parquet files with a dataset card, ready to share"
EXAMPLE = (
    "gensample export --dir /data/gensample/mdm --date 2026-11-01 --to /tmp/mdm-corpus\n"
    "gensample export --dir . --date 2026-11-01 --to ../corpus --push my-org/mdm-test-corpus"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    dir_argument(parser)
    date_argument(parser, "export")
    parser.add_argument(
        "--to", required=True, metavar="FOLDER", help="new folder, outside the run directory"
    )
    parser.add_argument("--replace", action="store_true", help="replace a non-empty FOLDER")
    parser.add_argument(
        "--license", default="cc0-1.0", choices=LICENSES, help="licence named in the card"
    )
    parser.add_argument(
        "--push", metavar="REPO", help="then upload FOLDER to this dataset repository (HF_TOKEN)"
    )


def run(arguments: argparse.Namespace) -> int:
    """Export the day, then push it when asked (the push's arguments checked first)."""
    if not arguments.to:  # Path("") would be the current directory
        raise BadInputError("--to is empty: name a new folder, outside the run directory")
    token = None if arguments.push is None else push_token(arguments.push)
    date = arguments.date or dt.date.today()
    existing_day(arguments.dir, date)
    report = export_day(
        arguments.dir,
        date,
        Path(arguments.to),
        license=arguments.license,
        replace=arguments.replace,
    )
    print(describe_export(report))
    if token:
        print(f"pushed to {push_folder(report.folder, arguments.push, token)}")
    return 0
