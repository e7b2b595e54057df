"""``gensample publish``: send (or re-send) an existing day to S3."""

import argparse
from pathlib import Path

from gensample import settings
from gensample.cli.common import date_argument, dir_argument, existing_day, load_settings
from gensample.daily.rundir import RunDirectory
from gensample.errors import BadInputError, RunError

HELP = "publish an existing day to S3"
EXAMPLE = "gensample publish --dir /data/mdm-test --date 2026-11-01 --dry-run"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    dir_argument(parser)
    date_argument(parser, "publish")
    parser.add_argument("--dry-run", action="store_true", help="list what would be sent")


def run(arguments: argparse.Namespace) -> int:
    """Publish the day to the bucket of the settings."""
    loaded = load_settings(arguments.dir)
    if not (loaded.publish and loaded.publish.s3_bucket):
        raise BadInputError(
            f"{arguments.dir / settings.SETTINGS_FILE}: publish.s3_bucket is not "
            "set; add a [publish] section with s3_bucket"
        )
    publish(loaded, existing_day(arguments.dir, arguments.date), dry_run=arguments.dry_run)
    return 0


def publish(loaded: settings.Settings, day_dir: Path, dry_run: bool) -> None:
    """Publish ``day_dir`` (under the run directory's lock) and print what was sent."""
    try:
        from gensample.publish import describe_report, publish_day
    except ImportError as error:
        raise RunError(
            f"publishing needs boto3 and hvac ({error}): pip install 'gensample[s3]'"
        ) from error

    with RunDirectory(day_dir.parent.parent).lock():  # no run may swap the day meanwhile
        report = publish_day(loaded.publish, loaded.vault, day_dir, dry_run=dry_run)
    print(describe_report(report))
