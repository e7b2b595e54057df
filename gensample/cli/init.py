"""``gensample init``: a commented gensample.toml and the drop folders."""

import argparse
import logging
from pathlib import Path

from gensample import reference, settings
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

SPEC_FILE = "systems.toml"
"""Where ``--spec`` puts the built-in systems' spec in the run directory."""

HELP = "write gensample.toml, tracer/ and archive/ into DIR"
EXAMPLE = (
    "gensample init /data/gensample/mdm-test\n"
    "gensample init /data/gensample/mdm-test --spec\n"
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
    parser.add_argument(
        "--spec",
        action="store_true",
        help=f"also write the built-in systems' spec as DIR/{SPEC_FILE}, to change them "
        "(named in a new gensample.toml; into an existing run directory, only the spec file)",
    )


def run(arguments: argparse.Namespace) -> int:
    """Write the settings file (never over an existing one) and make the drop folders; with
    ``--spec``, the built-in systems' spec file too, named in the new settings (or, for an
    existing run directory, only the spec file)."""
    run_dir: Path = arguments.dir
    target, text = run_dir / settings.SETTINGS_FILE, render_toml()
    if arguments.spec and target.exists():
        spec = _write_spec(run_dir)
        print(f'wrote {spec}; name it in {target}: spec = ["{SPEC_FILE}"]')
        return 0
    if arguments.from_legacy:
        target, text, notes = migrate(arguments.from_legacy, run_dir)
        for note in notes:
            log.warning("%s", note)
    elif target.exists():
        raise BadInputError(f"{target} already exists; edit it, or init another directory")
    if arguments.spec:
        _write_spec(run_dir)
        text = _naming_spec(text)
    write_text(target, text)
    for source, placed in FOLDER_FILES.items():
        if not (run_dir / placed).exists():
            write_text(run_dir / placed, (FOLDERS / source).read_text(encoding="utf-8"))
    print(f"wrote {target}; next: gensample run --dir {run_dir}")
    return 0


def _write_spec(run_dir: Path) -> Path:
    """Write the built-in systems' spec into ``run_dir``, never over an existing file."""
    spec = run_dir / SPEC_FILE
    if spec.exists():
        raise BadInputError(f"{spec} already exists; edit it, or remove it to write it again")
    write_text(spec, (reference.DATA / SPEC_FILE).read_text(encoding="utf-8"))
    return spec


def _naming_spec(text: str) -> str:
    """Settings ``text`` with ``spec`` naming the written spec file."""
    named = f'spec = ["{SPEC_FILE}"]'
    if "\nspec = []\n" in text:
        return text.replace("\nspec = []\n", f"\n{named}\n")
    return f"{named}\n{text}"
