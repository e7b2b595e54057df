"""Read the old tool's per-directory ``settings.py`` without running it.

Only literal top-level assignments (``ITERATE = 5000``) are read, by parsing the file with
:mod:`ast`; the file is never executed or imported. Everything else is reported in the notes
and ignored. The reader only maps old names to new keys: the loader validates the values.
"""

import ast
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from gensample.errors import BadInputError
from gensample.settings import DATASET_PARENTS, DATASETS, ENV_PREFIX
from gensample.settings.template import settings_names

DATASET_FLAG = "CREATE_DS_"
DATASETS_KEY = "datasets"
_NOT_LITERAL = object()

Converter = Callable[[Any], tuple[Any, str]]
"""Turns an old value into a new one, with a note on how it was read ("" for none)."""


@dataclass(frozen=True)
class LegacySettings:
    """Settings mapped from a legacy file (nested, new-style keys) and notes on what was not."""

    settings: dict
    notes: tuple[str, ...]


class Legacy(NamedTuple):
    """One row of the migration table: an old name, its new dotted key, how to convert it."""

    key: str
    convert: Converter | None = None


def _percent(value: Any) -> tuple[Any, str]:
    """Read a rate the old tool may have written as a fraction (0.15) as a percent (15.0)."""
    is_fraction = isinstance(value, float) and 0 < value <= 1.0
    if not is_fraction:
        return value, ""
    percent = round(value * 100, 10)  # 0.15 * 100 is 15.000000000000002
    return percent, "is at most 1.0, so it is read as a fraction and made a percent"


def _lower(value: Any) -> tuple[Any, str]:
    """Lower-case a string; leave anything else for the loader to reject."""
    return (value.lower(), "") if isinstance(value, str) else (value, "")


def _tracer_flag(value: Any) -> tuple[Any, str]:
    """The old tool may have named a tracer file; gensample reads tracer/tracer.csv."""
    if isinstance(value, str) and value:
        return True, f"named the file {value!r}: put it in tracer/tracer.csv to have it consumed"
    return value, ""


LEGACY_NAMES = {
    "ITERATE": Legacy("customers"),
    "OVERALL_DUPE_RATE": Legacy("dupe_rate", _percent),
    "VARIANCE_DUPE_RATE": Legacy("dupe_rate_variance", _percent),
    "LOAD_TYPE": Legacy("load_type", _lower),
    "SHOW_TIMER": Legacy("show_timer"),
    "AMP_S3_BUCKETNAME": Legacy("publish.s3_bucket"),
    "AMP_S3_PREFIX": Legacy("publish.s3_prefix"),
    "TRANS_TYPE": Legacy("trans_type", _lower),
    "MAX_TRANS_PER_CUSTOMER": Legacy("max_trans_per_customer"),
    "TRACER_DATA": Legacy("tracer", _tracer_flag),
    "USE_ARCHIVAL": Legacy("archival"),
    "ARCHIVAL_COUNT": Legacy("archival_count"),
}
"""The migration table: legacy name -> new dotted key (and converter). ``CREATE_DS_<NAME>``
flags are handled apart because many old names make one new list."""

_STATEMENT_NAMES = {
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.FunctionDef: "function definition",
    ast.ClassDef: "class definition",
    ast.If: "'if' block",
    ast.For: "'for' loop",
    ast.With: "'with' block",
    ast.Try: "'try' block",
    ast.AugAssign: "augmented assignment",
}


class _Reader:
    """Collects mapped settings and notes while walking one legacy file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.settings: dict = {}
        self.notes: list[str] = []
        self.datasets: dict[str, bool] = {}
        self.known = set(settings_names())

    def note(self, node: ast.AST, text: str) -> None:
        """Record a human-readable note about the statement ``node``."""
        self.notes.append(f"{self.path}:{node.lineno}: {text}")

    def statement(self, node: ast.stmt) -> None:
        """Map one top-level statement, or note why it is ignored."""
        name = _assigned_name(node)
        if name is None:
            self.note(node, f"{_describe_statement(node)}: ignored (the file is never run)")
        elif not name.isupper():
            self.note(node, f"{name}: not an uppercase setting name; ignored")
        elif name.startswith(DATASET_FLAG):
            self.dataset_flag(node, name)
        elif name in LEGACY_NAMES:
            self.mapped(node, name)
        else:
            self.note(node, f"{name}: not a setting of the old tool; ignored")

    def literal(self, node: ast.Assign | ast.AnnAssign, name: str, hint: str) -> Any:
        """The literal value assigned by ``node``, or ``_NOT_LITERAL`` after noting it."""
        try:
            return ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            self.note(node, f"{name} = {_shorten(node.value)}: not a literal value; ignored{hint}")
            return _NOT_LITERAL

    def mapped(self, node: ast.Assign | ast.AnnAssign, name: str) -> None:
        """Store ``name = <literal>`` under its new key, converted by the table's rule."""
        key, convert = LEGACY_NAMES[name]
        if key not in self.known:
            self.note(node, f"{name}: not supported by this version of gensample; ignored")
            return
        env_name = ENV_PREFIX + key.upper().replace(".", "__")
        value = self.literal(node, name, f" (set {env_name} instead)")
        if value is _NOT_LITERAL:
            return
        new_value, how = convert(value) if convert else (value, "")
        if how:
            self.note(node, f"{name} = {value!r} {how}: {key} = {new_value!r}")
        *sections, leaf = key.split(".")
        table = self.settings
        for part in sections:
            table = table.setdefault(part, {})
        table[leaf] = new_value

    def dataset_flag(self, node: ast.Assign | ast.AnnAssign, name: str) -> None:
        """Record ``CREATE_DS_<NAME> = True/False`` for a dataset this version knows."""
        value = self.literal(node, name, "")
        if value is _NOT_LITERAL:
            return
        if not isinstance(value, bool):
            raise BadInputError(
                f"{self.path}:{node.lineno}: {name} = {value!r} is not allowed: "
                "expected True or False"
            )
        dataset = _dataset_named(name[len(DATASET_FLAG) :].lower())
        if dataset is None:
            known = ", ".join(DATASETS)
            self.note(
                node,
                f"{name}: no such dataset in this version of gensample (known: {known}); ignored",
            )
            return
        self.datasets[dataset] = value

    def result(self) -> LegacySettings:
        """The mapped settings, with ``datasets`` made from the ``CREATE_DS_*`` flags."""
        if self.datasets:
            wanted = {name for name, enabled in self.datasets.items() if enabled}
            self.settings[DATASETS_KEY] = [
                name for name in DATASETS if name in self.with_parents(wanted)
            ]
        return LegacySettings(self.settings, tuple(self.notes))

    def with_parents(self, wanted: set[str]) -> set[str]:
        """``wanted`` and every dataset they refer to, noting each one added."""
        for name in reversed(DATASETS):  # children first: one pass finds parents of parents
            parents = DATASET_PARENTS[name] if name in wanted else ()
            missing = [parent for parent in parents if parent not in wanted]
            for parent in missing:
                self.notes.append(
                    f"{self.path}: {DATASET_FLAG}{name.upper()} needs {parent}; added to datasets"
                )
                wanted.add(parent)
        return wanted


def read_legacy(path: Path) -> LegacySettings:
    """Map the literal settings of legacy ``settings.py`` at ``path`` to new-style keys."""
    path = Path(path)
    reader = _Reader(path)
    for node in _parse(path).body:
        if not _is_docstring(node):
            reader.statement(node)
    return reader.result()


def _parse(path: Path) -> ast.Module:
    """Parse (never run) ``path``, turning a syntax error into one naming file and line."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadInputError(f"{path}: cannot read: {error}") from error
    try:
        return ast.parse(source, filename=str(path))
    except SyntaxError as error:
        raise BadInputError(
            f"{path}:{error.lineno}: not valid Python: {error.msg}; nothing was read"
        ) from error
    except ValueError as error:  # e.g. a NUL byte, on Python < 3.12
        raise BadInputError(f"{path}: not valid Python: {error}") from error


def _assigned_name(node: ast.stmt) -> str | None:
    """The one plain name that ``node`` assigns a value to, else None."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target = node.target
    else:
        return None
    return target.id if isinstance(target, ast.Name) else None


def _is_docstring(node: ast.stmt) -> bool:
    """True for a bare string statement, which documents and does nothing."""
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _describe_statement(node: ast.stmt) -> str:
    """Name a statement kind in words for a note."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return f"function call {_shorten(node.value)}"
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return f"assignment {_shorten(node)}"
    return _STATEMENT_NAMES.get(type(node), f"{type(node).__name__} statement")


def _shorten(node: ast.AST, width: int = 50) -> str:
    """The source text of ``node``, cut to ``width`` characters for a note."""
    text = ast.unparse(node)
    return text if len(text) <= width else text[: width - 3] + "..."


def _dataset_named(name: str) -> str | None:
    """The known dataset ``name`` means, trying it with and without a trailing 's'."""
    for candidate in (name, name + "s", name.removesuffix("s")):
        if candidate in DATASETS:
            return candidate
    return None
