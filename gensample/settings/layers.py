"""Reading one layer of settings: a TOML file, an environment variable; merging layers.

Generic over the settings class, so the loader in ``gensample.settings`` stays about which
layers there are and in what order.
"""

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gensample.errors import BadInputError
from gensample.settings.schema import check_layer, section_type

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ENV_PREFIX = "GENSAMPLE_"


def read_toml(path: Path) -> dict:
    """Parse a TOML file, turning a syntax error into a message naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
        if text.startswith(BOM):
            raise BadInputError(f"{path}: starts with a byte order mark: save it as UTF-8 without")
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BadInputError(f"{path}: not valid TOML: {error}") from error
    except RecursionError:
        raise BadInputError(f"{path}: not valid TOML: nested too deeply") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BadInputError(f"{path}: cannot read: {error}") from error


BOM = "\ufeff"
"""What a UTF-8 file saved 'with BOM' (as some Windows editors do) starts with."""


def env_layer(cls: type, name: str, raw: str) -> dict:
    """One checked layer of settings class ``cls`` from environment variable ``name``
    (``GENSAMPLE_PUBLISH__S3_BUCKET``)."""
    path = name[len(ENV_PREFIX) :].lower().split("__")
    value = _parse_env_value(raw, _field_at(cls, path, name))
    for key in reversed(path):
        value = {key: value}
    return check_layer(cls, value, f"environment variable {name}")


def _field_at(cls: type, path: list[str], name: str) -> dataclasses.Field:
    for key in path:
        fields = {field.name: field for field in dataclasses.fields(cls)} if cls else {}
        if key not in fields:
            raise BadInputError(f"environment variable {name}: no setting {'.'.join(path)}")
        field, cls = fields[key], section_type(fields[key])
    if cls is not None:
        raise BadInputError(f"environment variable {name}: {'.'.join(path)} is a section")
    return field


def _parse_env_value(raw: str, field: dataclasses.Field) -> Any:
    if field.type == tuple[str, ...]:
        return [item.strip() for item in raw.split(",") if item.strip()]
    if field.type is str:
        return raw
    try:
        return tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        return raw


def merge(into: dict, layer: Mapping) -> None:
    """Put ``layer`` over ``into``, section by section."""
    for key, value in layer.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value
