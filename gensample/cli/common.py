"""What several commands share: the run directory and date arguments, and loading settings."""

import argparse
import datetime as dt
from pathlib import Path

from gensample import settings
from gensample.daily import state
from gensample.daily.rundir import RunDirectory
from gensample.errors import BadInputError


def dir_argument(parser: argparse.ArgumentParser) -> None:
    """``--dir DIR``: the run directory (default: the current directory)."""
    parser.add_argument(
        "--dir",
        type=run_directory,
        default=Path("."),
        help="run directory holding gensample.toml (default: current directory)",
    )


def run_directory(text: str) -> Path:
    """A ``--dir`` value: not empty (``Path("")`` would silently be the current directory)."""
    if not text:
        raise argparse.ArgumentTypeError(
            "'' is not allowed: name the run directory, or . for this one"
        )
    return Path(text)


def date_argument(parser: argparse.ArgumentParser, what: str = "generate") -> None:
    """``--date YYYY-MM-DD``: the day to work on (default: today)."""
    parser.add_argument(
        "--date",
        type=parse_date,
        default=None,
        metavar="YYYY-MM-DD",
        help=f"day to {what} (default: today)",
    )


def parse_date(text: str) -> dt.date:
    """A ``--date`` value: an ISO date within the years a run may have."""
    try:
        if not state.is_day(text):  # not 20261207 nor 2026-W49-1, which Python reads too
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
        state.check_date(day)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: expected YYYY-MM-DD") from None
    except BadInputError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("--date ")) from None
    return day


def count(text: str) -> int:
    """A whole number >= 0."""
    try:
        number = int(text)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a whole number >= 0")
    return number


def require_run_dir(run_dir: Path) -> None:
    """Refuse a directory without a settings file: most likely a mistyped ``--dir``."""
    for name in (settings.SETTINGS_FILE, settings.LEGACY_FILE):
        if (run_dir / name).exists() and not (run_dir / name).is_file():
            raise BadInputError(f"{run_dir / name} is not a file: it must be the settings file")
    if not any(
        (run_dir / name).is_file() for name in (settings.SETTINGS_FILE, settings.LEGACY_FILE)
    ):
        raise BadInputError(
            f"{run_dir}: no {settings.SETTINGS_FILE} (nor a legacy {settings.LEGACY_FILE}); "
            f"create one with: gensample init {run_dir}"
        )


def load_settings(run_dir: Path, flags: dict | None = None) -> settings.Settings:
    """The run directory's settings, over its defaults, environment and ``flags``."""
    require_run_dir(run_dir)
    return settings.load(run_dir, flags=flags)


def existing_day(run_dir: Path, date: dt.date | None) -> Path:
    """The committed day directory of ``date`` (default: today); refuse one that is missing."""
    day_dir = RunDirectory(run_dir).day(date or dt.date.today())
    if not day_dir.is_dir():
        raise BadInputError(f"{day_dir} does not exist: run that day first")
    return day_dir
