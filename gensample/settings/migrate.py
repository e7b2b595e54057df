"""Turn a legacy ``settings.py`` into a commented ``gensample.toml`` (``init --from-legacy``)."""

from pathlib import Path

from gensample.errors import BadInputError
from gensample.settings import SETTINGS_FILE, Settings
from gensample.settings.legacy import read_legacy
from gensample.settings.schema import build, check_layer
from gensample.settings.template import render_toml


def migrate(legacy_path: Path, target_dir: Path) -> tuple[Path, str, tuple[str, ...]]:
    """The ``target_dir/gensample.toml`` that legacy ``legacy_path`` translates to: its path, its
    text and the notes on what did not translate.

    Every mapped value is checked first, and an existing file is refused (never overwritten).
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
    return target, render_toml(legacy.settings), legacy.notes  # plain data, as checked
