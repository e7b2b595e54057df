"""Write the settings tree out for people: the commented ``gensample.toml`` and the README table.

Both walk the dataclasses of :class:`~gensample.settings.Settings`, so a setting declared there
appears here without being listed by hand.
"""

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

import tomli_w

from gensample.settings import ENV_PREFIX, SETTINGS_FILE, Settings
from gensample.settings.schema import describe, section_type

HEADER = f"""\
# {SETTINGS_FILE}: settings of the gensample job that runs in this directory.
# Written by `gensample init`. Every setting is listed with what it means and allows; a line
# you delete falls back to the built-in default.
#
# Precedence, lowest first: built-in defaults < this file < environment variables
# {ENV_PREFIX}<KEY> and {ENV_PREFIX}<SECTION>__<KEY> (e.g. {ENV_PREFIX}CUSTOMERS=5000,
# {ENV_PREFIX}PUBLISH__S3_BUCKET=my-bucket) < command-line flags (e.g. --customers 5000).
#
# Documentation: docs/settings.md; every setting is in the table in README.md."""

EXAMPLES: dict[str, Any] = {
    "fuzz.fields": {
        "first_name": {"weight": 2.0, "corruptions": {"use_nickname": 3.0, "make_typo": 1.0}},
    },
    "difficulty.hurried_share": 0.3,
    "difficulty.source_hurry": {"pos_customers": 3.0},
    "difficulty.original_share": 0.5,
    "difficulty.source_variations": {"loyalty_members": {"phone:landline": 0.5}},
}
"""Example values, shown commented out, for settings that are not set by default."""


def render_toml(values: Mapping[str, Any] | None = None) -> str:
    """The commented ``gensample.toml``, showing ``values`` (nested plain data) or the defaults."""
    lines = [HEADER]
    lines += _section_body(Settings, values or {}, ())
    return "\n".join(lines) + "\n"


def settings_table() -> str:
    """A Markdown table of every setting: dotted name, default, allowed values and meaning."""
    rows = ["| setting | default | allowed | meaning |", "| --- | --- | --- | --- |"]
    for name, field in _leaves(Settings):
        default = "not set" if field.default is None else f"`{_literal(field.default)}`"
        cells = (f"`{name}`", default, describe(field), field.metadata["help"])
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"


def settings_names() -> list[str]:
    """The dotted name of every setting (``customers``, ``fuzz.max_fields``), in tree order."""
    return [name for name, _ in _leaves(Settings)]


def _leaves(cls: type, prefix: str = "") -> Iterator[tuple[str, dataclasses.Field]]:
    """Every plain setting of section ``cls`` and of its subsections, by dotted name."""
    for field in dataclasses.fields(cls):
        nested = section_type(field)
        if nested is None:
            yield prefix + field.name, field
        else:
            yield from _leaves(nested, f"{prefix}{field.name}.")


def _section_body(cls: type, values: Mapping[str, Any], path: tuple[str, ...]) -> list[str]:
    """The lines of section ``cls``: its settings, table-valued ones last, then subsections."""
    fields = {field.name: field for field in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValueError(f"no such setting: {'.'.join((*path, unknown[0]))}")
    plain = [field for field in fields.values() if section_type(field) is None]
    # A table-valued setting is written as a [section.key] table, which must follow the keys.
    plain.sort(key=lambda field: isinstance(values.get(field.name, field.default), Mapping))
    lines = []
    for field in plain:
        lines += ["", *_setting_lines(field, values, path)]
    for field in fields.values():
        if section_type(field) is not None:
            lines += ["", *_subsection_lines(field, values, path)]
    return lines


def _setting_lines(field: dataclasses.Field, values: Mapping, path: tuple[str, ...]) -> list[str]:
    """Help and allowed values as comments, then ``key = value`` (commented out if unset)."""
    lines = [f"# {field.metadata['help']}", f"# Allowed: {describe(field)}."]
    if field.metadata.get("secret"):
        env_name = ENV_PREFIX + "__".join((*path, field.name)).upper()
        lines.append(f"# A secret: better given by the environment variable {env_name}.")
    value = values.get(field.name, field.default)
    if value is not None:
        return lines + _assignment(path, field.name, value)
    dotted = ".".join((*path, field.name))
    if dotted not in EXAMPLES:
        return [*lines, "# Not set by default."]
    example = _assignment(path, field.name, EXAMPLES[dotted])
    return [*lines, "# Not set by default; for example:", *_commented(example)]


def _subsection_lines(
    field: dataclasses.Field, values: Mapping, path: tuple[str, ...]
) -> list[str]:
    """A ``[section]`` table; an optional section nobody set is written commented out."""
    own = values.get(field.name)
    sub_path = (*path, field.name)
    body = [f"[{'.'.join(sub_path)}]", *_section_body(section_type(field), own or {}, sub_path)]
    lines = [f"# {field.metadata['help']}"]
    if own is None and field.default is None:
        lines.append("# Not used unless set: uncomment the table (and change what you need).")
        return lines + _commented(body)
    return lines + body


def _assignment(path: tuple[str, ...], key: str, value: Any) -> list[str]:
    """``key = value``, or a ``[path.key]`` table with one line per entry for a table value."""
    if not isinstance(value, Mapping):
        return [f"{_key(key)} = {_literal(value)}"]
    header = "[" + ".".join(_key(part) for part in (*path, key)) + "]"
    return [header, *(f"{_key(name)} = {_literal(item)}" for name, item in value.items())]


def _literal(value: Any) -> str:
    """``value`` as a TOML literal on one line (tomli_w would split arrays over lines)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(name)} = {_literal(item)}" for name, item in value.items())
        return "{ " + items + " }" if items else "{}"
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


def _key(name: str) -> str:
    """``name`` as a TOML key, quoted only when it is not a bare key."""
    return tomli_w.dumps({name: 0}).removesuffix(" = 0\n")


def _commented(lines: list[str]) -> list[str]:
    """``lines`` commented out, blank lines kept blank."""
    return [f"# {line}" if line else "" for line in lines]
