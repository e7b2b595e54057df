"""Turn a legacy ``settings.py`` into a commented ``gensample.toml`` (``init --from-legacy``)."""

from pathlib import Path

from gensample.errors import BadInputError
from gensample.output.atomic import write_text
from gensample.settings import SETTINGS_FILE, Settings
from gensample.settings.legacy import read_legacy
from gensample.settings.schema import build, check_layer
from gensample.settings.template import render_toml


def migrate(legacy_path: Path, target_dir: Path) -> tuple[Path, tuple[str, ...]]:
    """Write ``target_dir/gensample.toml`` from legacy ``legacy_path``; return it and the notes.

    Nothing is written unless every mapped value is valid, and an existing file is never
    overwritten.
    """
    legacy_path, target = Path(legacy_path), Path(target_dir) / SETTINGS_FILE
    if target.exists():
        raise BadInputError(f"{target} already exists; move it away to migrate {legacy_path}")
    legacy = read_legacy(legacy_path)
    checked = check_layer(Settings, legacy.settings, str(legacy_path))
    try:
        build(Settings, checked)  # the checks that involve several settings at once
    except BadInputError as error:
        raise BadInputError(f"{legacy_path}: {error}") from error
    write_text(target, render_toml(legacy.settings))  # plain data: checking may make objects
    return target, legacy.notes
