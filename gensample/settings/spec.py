"""The ``spec`` setting: spec files declaring datasets (``generate.spec`` reads and checks
their content), relative to the run directory in gensample.toml."""

from pathlib import Path

from gensample.errors import BadInputError

SUFFIXES = (".toml", ".yaml", ".yml")
"""The kinds of spec file: TOML or YAML."""
SPEC_ALLOWED = (
    "a list of paths to existing .toml, .yaml or .yml spec files (absolute, or relative to the "
    "run directory in gensample.toml)"
)


def check_spec(value: object, where: str) -> tuple[str, ...]:
    """The spec files named by ``value``, refused unless each is an existing spec file."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise BadInputError(f"{where} = {value!r} is not allowed: expected {SPEC_ALLOWED}")
    for path in value:
        if Path(path).suffix not in SUFFIXES or not Path(path).is_file():
            raise BadInputError(
                f"{where} = {path[:80]!r} is not allowed: expected an existing spec file "
                f"({', '.join(SUFFIXES)})"
            )
    return tuple(value)


def spec_in_run_dir(value: object, run_dir: Path) -> object:
    """The ``spec`` list of a gensample.toml with relative paths made relative to ``run_dir``
    (anything but a list of texts is left for :func:`check_spec` to refuse)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return value
    return [path if Path(path).is_absolute() else str(run_dir / path) for path in value]
