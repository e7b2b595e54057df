"""``gensample init``: a commented gensample.toml and the drop folders."""

import argparse
import logging
from pathlib import Path

from gensample import settings
from gensample.errors import BadInputError
from gensample.output.atomic import write_text
from gensample.settings.migrate import migrate
from gensample.settings.template import render_toml

log = logging.getLogger("gensample")

FOLDERS = Path(__file__).resolve().parent / "folders"
FOLDER_FILES = {  # packaged file -> where init puts it in the run directory
    "tracer.md": "tracer/README.md",
    "sample-tracer.csv": "tracer/sample-tracer.csv",
    "archive.md": "archive/README.md",
}

HELP = "write gensample.toml, tracer/ and archive/ into DIR"
EXAMPLE = (
    "gensample init /data/gensample/mdm-test\n"
    "gensample init /data/gensample/mdm-test --from-legacy old/settings.py"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    parser.add_argument(
        "dir",
        nargs="?",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="run directory to create (default: current directory)",
    )
    parser.add_argument(
        "--from-legacy",
        type=Path,
        metavar="SETTINGS_PY",
        help="translate the old tool's settings.py (written into DIR) instead of the defaults",
    )


def run(arguments: argparse.Namespace) -> int:
    """Write the settings file (never over an existing one) and make the drop folders."""
    run_dir: Path = arguments.dir
    target, text = run_dir / settings.SETTINGS_FILE, render_toml()
    if arguments.from_legacy:
        target, text, notes = migrate(arguments.from_legacy, run_dir)
        for note in notes:
            log.warning("%s", note)
    elif target.exists():
        raise BadInputError(f"{target} already exists; edit it, or init another directory")
    write_text(target, text)
    for source, placed in FOLDER_FILES.items():
        if not (run_dir / placed).exists():
            write_text(run_dir / placed, (FOLDERS / source).read_text(encoding="utf-8"))
    print(f"wrote {target}; next: gensample run --dir {run_dir}")
    return 0
