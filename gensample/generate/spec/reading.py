"""A spec file's text as plain data: TOML, or YAML (``.yaml``, ``.yml``) when PyYAML is there."""

import datetime as dt
from pathlib import Path

from gensample.errors import BadInputError, one_line

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


def parsed(path: Path) -> object:
    """The file's content as plain data."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix in (".yaml", ".yml"):
            return _plain(_yaml(text, path))
        return _plain(tomllib.loads(text))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise BadInputError(f"{path}: cannot read the spec: {error}") from None


def _yaml(text: str, path: Path) -> object:
    """A YAML spec's content: PyYAML is an optional dependency (``gensample[spec]``)."""
    try:
        import yaml
    except ModuleNotFoundError:
        raise BadInputError(
            f"{path}: YAML spec files need PyYAML: pip install 'gensample[spec]', or write TOML"
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise BadInputError(f"{path}: cannot read the spec: {_yaml_problem(error)}") from None


def _yaml_problem(error: Exception) -> str:
    """A PyYAML error on one line: its problem and where (PyYAML's own text spans lines)."""
    problem, mark = getattr(error, "problem", None), getattr(error, "problem_mark", None)
    if problem is None or mark is None:
        return one_line(error)
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"


def _plain(value: object) -> object:
    """``value`` with dates written without quotes as ISO texts, as the schema expects."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value
