"""The JSON Schema of a spec file (``gensample spec-schema`` prints it) and the check against it.

The schema states the shape: which keys a dataset, a column and each generator take, their
types and simple ranges. What needs more than one place of the file (a reference to a dataset
that exists, a fuzzed column's kind, cycles) is checked afterwards in ``model``.
"""

from typing import TYPE_CHECKING

from gensample.errors import BadInputError

if TYPE_CHECKING:
    import jsonschema

LARGEST_NUMBER = 10**15
"""The largest size of a ``number`` column's parameters and values: integers stay exact."""
_NUMBER = {"type": "number", "minimum": -LARGEST_NUMBER, "maximum": LARGEST_NUMBER}
_SHARE = {"type": "number", "minimum": 0, "maximum": 1}
_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_WEIGHTS = {"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 1}


def _object(properties: dict, required: tuple[str, ...] = ()) -> dict:
    """A closed object: only ``properties``, ``required`` among them."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


GENERATORS = {
    "person": {"type": "string"},
    "faker": {"type": "string"},
    "choice": _object(
        {"values": {"type": "array", "minItems": 1}, "weights": _WEIGHTS}, ("values",)
    ),
    "number": _object(
        {
            "distribution": {"enum": ["uniform", "normal", "lognormal", "poisson"]},
            "mean": _NUMBER,
            "sd": {"type": "number", "minimum": 0, "maximum": LARGEST_NUMBER},
            "min": _NUMBER,
            "max": _NUMBER,
            "decimals": {"type": "integer", "minimum": 0, "maximum": 6},
        },
        ("distribution",),
    ),
    "date": _object({"from": _DATE, "to": _DATE}, ("from", "to")),
    "pattern": {"type": "string", "minLength": 1, "pattern": "^[\\x20-\\x7e]+$"},
    "expr": {"type": "string", "minLength": 1},
    "ref": _object({"dataset": _NAME, "column": _NAME, "weights": _NAME}, ("dataset", "column")),
}
"""Each generator's key in a column and the shape of its value."""

COLUMN = {
    "type": "object",
    "properties": {
        **GENERATORS,
        "format": {"type": "string", "minLength": 1},
        "args": {"type": "object"},
        "locale": {"type": "string"},
    },
    "additionalProperties": False,
    "oneOf": [{"required": [name]} for name in GENERATORS],
}
FUZZ_FIELD = _object(
    {
        "weight": {"type": "number", "minimum": 0},
        "corruptions": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
    },
    ("weight", "corruptions"),
)
ROWS = {
    "oneOf": [
        {"type": "integer", "minimum": 0, "maximum": 100_000_000},
        _object(
            {
                "per": _NAME,
                "distribution": {"enum": ["poisson", "uniform", "fixed"]},
                "mean": {"type": "number", "minimum": 0, "maximum": 1000},
                "weights": _NAME,
            },
            ("per", "mean"),
        ),
    ]
}
DATASET = _object(
    {
        "description": {"type": "string"},
        "rows": ROWS,
        "population": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "id": _object(
            {
                "column": _NAME,
                "start": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
                "prefix": {"type": "string"},
                "width": {"type": "integer", "minimum": 1, "maximum": 30},
            },
            ("column",),
        ),
        "duplicates": _object(
            {"rate": _SHARE, "max_per_entity": {"type": "integer", "minimum": 1, "maximum": 50}},
            ("rate",),
        ),
        "fuzz": {"type": "object", "additionalProperties": FUZZ_FIELD},
        "max_fields": {"type": "integer", "minimum": 1, "maximum": 6},
        "columns": {"type": "object", "additionalProperties": COLUMN, "minProperties": 1},
    },
    ("id", "columns"),
)
_MULTIPLIER = {"type": "number", "minimum": 0, "maximum": 100}
_SHARES = {"type": "object", "additionalProperties": _SHARE}
BUILT_IN = _object(
    {
        "builtin": {"const": True},
        "description": {"type": "string"},
        "columns": {"type": "array", "items": _NAME},
        "fuzz": {
            "type": "object",
            "additionalProperties": _object(
                {"weight": _MULTIPLIER, "forbidden": {"type": "array", "items": _NAME}},
                ("weight",),
            ),
        },
        "corruptions": {"type": "object", "additionalProperties": _MULTIPLIER},
        "extra_fields": {"type": "integer", "minimum": -5, "maximum": 5},
        "exact_copies": {"type": "boolean"},
        "hurry": {"type": "number", "minimum": 0, "maximum": 10},
        "unrecorded": _SHARES,
        "variations": _SHARES,
        "habits": _SHARES,
        "counts": {
            "type": "object",
            "additionalProperties": _object(
                {
                    "least": {"type": "integer", "minimum": 0},
                    "mean": {"type": "number", "minimum": 0},
                    "most": {"type": "integer", "minimum": 1, "maximum": 10_000},
                },
                ("least", "mean", "most"),
            ),
        },
    },
    ("builtin",),
)
"""A built-in system's parameters (docs/spec.md#the-built-in-systems): fuzz weights and
corruptions as multipliers of the run's fuzz map."""
DATASET_OR_BUILT_IN = {
    "if": {"properties": {"builtin": {"const": True}}, "required": ["builtin"]},
    "then": BUILT_IN,
    "else": DATASET,
}
TABLE = _object({"file": {"type": "string", "minLength": 1}, "key": _NAME}, ("file", "key"))
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "gensample spec file",
    "description": "Datasets declared without code: columns with generators, keys, duplicates "
    "and the fuzz map; parent tables from the user's files.",
    **_object(
        {
            "tables": {"type": "object", "propertyNames": _NAME, "additionalProperties": TABLE},
            "datasets": {
                "type": "object",
                "propertyNames": _NAME,
                "additionalProperties": DATASET_OR_BUILT_IN,
                "minProperties": 1,
            },
        },
        ("datasets",),
    ),
}
"""The JSON Schema every spec file must satisfy."""


def validate(raw: object, file: str, against: dict = SCHEMA, at: tuple = ()) -> None:
    """Refuse ``raw`` (a parsed spec file, or its part at path ``at``) unless it satisfies
    ``against`` (by default :data:`SCHEMA`): one error naming the file, the path inside it and
    the reason."""
    import jsonschema  # here: importing it would slow every start by 45 ms, spec or not

    validator = jsonschema.Draft202012Validator(against)
    error = jsonschema.exceptions.best_match(validator.iter_errors(raw))
    if error is not None:
        raise BadInputError(f"{file}: {dotted((*at, *error.absolute_path))}: {_reason(error)}")


def dotted(path) -> str:
    """A path inside a file as dotted keys (``datasets.crm.columns.tier``), or ``(top)``."""
    return ".".join(str(part) for part in path) or "(top)"


def _reason(error: "jsonschema.ValidationError") -> str:
    """The schema's complaint, shortened for a one-column choice among generators."""
    if error.validator == "oneOf" and isinstance(error.instance, dict):
        return f"expected exactly one generator of {sorted(GENERATORS)}"
    return error.message
