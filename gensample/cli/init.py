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
        default=".",
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
    existing run directory, only the spec file). Everything is checked before anything is
    written, and the settings file is written last."""
    if not arguments.dir:  # Path("") would be the current directory
        raise BadInputError("DIR is empty: name the run directory to create, or . for this one")
    run_dir = Path(arguments.dir)
    target = run_dir / settings.SETTINGS_FILE
    if arguments.spec and target.exists():
        return _add_spec(run_dir, arguments.from_legacy)
    _refuse_files_in_the_way(run_dir)
    text = _settings_text(run_dir, arguments.from_legacy)
    if arguments.spec:
        _refuse_existing_spec(run_dir)
        text = _naming_spec(text)
    _write_folder_files(run_dir)
    if arguments.spec:
        _write_spec(run_dir)
    write_text(target, text)
    print(f"wrote {target}; next: gensample run --dir {run_dir}")
    return 0


def _add_spec(run_dir: Path, legacy: Path | None) -> int:
    """Write only the spec file into the existing run directory ``run_dir``."""
    target = run_dir / settings.SETTINGS_FILE
    if legacy:  # as without --spec: the translation would need a new settings file
        raise BadInputError(
            f"{target} already exists, so --from-legacy cannot write it: move it away to "
            f"migrate {legacy}, or leave out --from-legacy to add only {SPEC_FILE}"
        )
    _refuse_existing_spec(run_dir)
    print(f'wrote {_write_spec(run_dir)}; name it in {target}: spec = ["{SPEC_FILE}"]')
    return 0


def _refuse_files_in_the_way(run_dir: Path) -> None:
    """A :class:`BadInputError` naming a file where init needs a directory: ``run_dir``, one of
    its parents or a drop folder."""
    folders = {(run_dir / placed).parent for placed in FOLDER_FILES.values()}
    for folder in (*run_dir.parents, run_dir, *sorted(folders)):
        if folder.exists() and not folder.is_dir():
            raise BadInputError(
                f"{folder} is a file, not a directory: init needs a directory there; "
                "move the file away, or init another directory"
            )


def _settings_text(run_dir: Path, legacy: Path | None) -> str:
    """The new settings: ``legacy`` translated, or the defaults; never over an existing file."""
    if legacy:
        _, text, notes = migrate(legacy, run_dir)
        for note in notes:
            log.warning("%s", note)
        return text
    target = run_dir / settings.SETTINGS_FILE
    if target.exists():
        raise BadInputError(f"{target} already exists; edit it, or init another directory")
    return render_toml()


def _write_folder_files(run_dir: Path) -> None:
    """Put the drop folders' files into ``run_dir``, keeping any already there."""
    for source, placed in FOLDER_FILES.items():
        if not (run_dir / placed).exists():
            write_text(run_dir / placed, (FOLDERS / source).read_text(encoding="utf-8"))


def _refuse_existing_spec(run_dir: Path) -> None:
    """A :class:`BadInputError` if ``run_dir`` has a spec file already: it is never replaced."""
    spec = run_dir / SPEC_FILE
    if spec.exists():
        raise BadInputError(f"{spec} already exists; edit it, or remove it to write it again")


def _write_spec(run_dir: Path) -> Path:
    """Write the built-in systems' spec into ``run_dir`` (checked by
    :func:`_refuse_existing_spec`)."""
    spec = run_dir / SPEC_FILE
    write_text(spec, (reference.DATA / SPEC_FILE).read_text(encoding="utf-8"))
    return spec


def _naming_spec(text: str) -> str:
    """Settings ``text`` with ``spec`` naming the written spec file."""
    named = f'spec = ["{SPEC_FILE}"]'
    if "\nspec = []\n" in text:
        return text.replace("\nspec = []\n", f"\n{named}\n")
    return f"{named}\n{text}"
