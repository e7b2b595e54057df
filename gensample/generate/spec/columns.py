"""Column generators: one small function per generator kind, each making a whole column of a
block from its options, the block's context and a named random stream.

:data:`GENERATORS` maps a column's generator key (``person``, ``faker``, ``choice``, ``number``,
``date``, ``pattern``, ``expr``, ``ref``) to its function.
"""

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate.spec import expressions
from gensample.generate.spec.schema import LARGEST_NUMBER
from gensample.native.take import take

if TYPE_CHECKING:
    from faker import Faker

FAKER_POOL = 1_000
"""Faker values drawn per block and column; rows sample them with numpy."""
PERSON_ATTRIBUTES = (
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "gender",
    "birth_date",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "county",
)
"""The true person attributes a ``person`` column can show (from ``generate.population``)."""
TEXT_FORMATS = {"upper": pc.utf8_upper, "lower": pc.utf8_lower, "title": pc.utf8_title}
"""Formats of a text column; a date column's format is a ``strftime`` pattern."""


@dataclass
class Context:
    """What the columns of one block are made from."""

    rows: int
    block: int
    people: pa.Table | None = None
    parents: Mapping[str, pa.Table] = field(default_factory=dict)
    parent_rows: np.ndarray | None = None
    per: str = ""
    columns: dict[str, pa.Array] = field(default_factory=dict)


Generator = Callable[[dict, Context, np.random.Generator], pa.Array]


def person(column: dict, context: Context, rng: np.random.Generator) -> pa.Array:
    """A true attribute of the record's person."""
    return context.people[column["person"]].combine_chunks()


@functools.cache
def faker_for(locale: str) -> "Faker":
    """One Faker per locale and process, seeded afresh for every pool (Faker is an optional
    dependency: ``gensample[spec]``)."""
    from faker import Faker

    return Faker(locale)


@functools.cache
def faker_providers(locale: str) -> frozenset[str]:
    """Every provider method a ``faker`` column may name."""
    fake = faker_for(locale)
    return frozenset(
        name
        for provider in fake.get_providers()
        for name in dir(provider)
        if not name.startswith("_") and callable(getattr(provider, name))
    )


def faker(column: dict, context: Context, rng: np.random.Generator) -> pa.Array:
    """A Faker provider's values: a pool drawn once per block with a seeded Faker, sampled."""
    fake = faker_for(column.get("locale", "en_US"))
    fake.seed_instance(int(rng.integers(2**63)))
    method, arguments = getattr(fake, column["faker"]), column.get("args", {})
    pool = pa.array([str(method(**arguments)) for _ in range(FAKER_POOL)], pa.string())
    return take(pool, rng.integers(0, FAKER_POOL, context.rows))


def choice(column: dict, context: Context, rng: np.random.Generator) -> pa.Array:
    """One of the values, by weight (equal weights when none are given)."""
    options = column["choice"]
    values = pa.array(options["values"])
    weights = np.asarray(options.get("weights", [1.0] * len(values)), np.float64)
    return take(values, rng.choice(len(values), context.rows, p=weights / weights.sum()))


def number(column: dict, context: Context, rng: np.random.Generator) -> pa.Array:
    """Numbers from a distribution, clipped to their bounds (at most ``LARGEST_NUMBER`` either
    way, so a lognormal's overflow stays a number) and rounded to their decimals."""
    options, n = column["number"], context.rows
    draw = {
        "uniform": lambda: rng.uniform(options.get("min", 0), options.get("max", 1), n),
        "normal": lambda: rng.normal(options.get("mean", 0), options.get("sd", 1), n),
        "lognormal": lambda: rng.lognormal(options.get("mean", 0), options.get("sd", 1), n),
        "poisson": lambda: rng.poisson(options.get("mean", 1), n).astype(np.float64),
    }[options["distribution"]]
    bounds = options.get("min", -LARGEST_NUMBER), options.get("max", LARGEST_NUMBER)
    values = np.clip(draw(), *bounds)
    decimals = options.get("decimals", 0)
    return pa.array(np.round(values, decimals) if decimals else np.round(values).astype(np.int64))


def date(column: dict, context: Context, rng: np.random.Generator) -> pa.Array:
    """Days drawn evenly from a window, both ends included."""
    first, last = (dt.date.fromisoformat(column["date"][end]).toordinal() for end in ("from", "to"))
    days = rng.integers(first, last + 1, context.rows) - dt.date(1970, 1, 1).toordinal()
    return pa.array(days.astype(np.int32)).cast(pa.date32())


def pattern(column: dict, context: Context, rng: np.random.Generator) -> pa.Array:
    """Strings of a pattern: ``#`` a digit, ``?`` a capital letter, anything else as it is."""
    text = column["pattern"].encode("ascii")
    chars = np.tile(np.frombuffer(text, np.uint8), (context.rows, 1))
    for placeholder, low, high in ((b"#", ord("0"), ord("9")), (b"?", ord("A"), ord("Z"))):
        where = np.flatnonzero(np.frombuffer(text, np.uint8) == placeholder[0])
        chars[:, where] = rng.integers(low, high + 1, (context.rows, len(where)), np.uint8)
    return pa.array(chars.view(f"S{len(text)}").ravel()).cast(pa.string())


def expr(column: dict, context: Context, rng: np.random.Generator) -> pa.Array:
    """An expression over the columns made before it."""
    value = expressions.evaluate(expressions.parse(column["expr"]), context.columns)
    return pa.repeat(value, context.rows) if isinstance(value, pa.Scalar) else value


def ref(column: dict, context: Context, rng: np.random.Generator) -> pa.Array:
    """A key of a parent: the row's own parent when the dataset has rows per that parent,
    else a parent row drawn by the weights column (evenly without one)."""
    options = column["ref"]
    parent = context.parents[options["dataset"]]
    keys = parent[options["column"]].combine_chunks()
    if options["dataset"] == context.per:
        return take(keys, context.parent_rows)
    if not len(keys) and context.rows:
        raise ValueError(f"{options['dataset']} has no rows to refer to")
    p = parent_weights(parent, options.get("weights"))
    return take(keys, rng.choice(len(keys), context.rows, p=p))


def parent_weights(parent: pa.Table, column: str | None) -> np.ndarray | None:
    """The parent rows' shares by ``column`` (``None``: even; an empty value 0), refusing
    unusable weights."""
    if column is None:
        return None
    check_weights_type(column, parent.schema.field(column).type)
    weights = parent[column].fill_null(0).to_numpy(zero_copy_only=False).astype(np.float64)
    total = weights.sum()
    if not (np.isfinite(weights) & (weights >= 0)).all() or not 0 < total < np.inf:
        raise ValueError(
            f"weights column {column} needs finite values >= 0 adding up to more than 0"
        )
    return weights / total


def check_weights_type(column: str, kind: pa.DataType) -> None:
    """Refuse a weights column of anything but numbers."""
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)):
        raise ValueError(f"weights column {column} holds {kind}: expected a column of numbers")


def formatted(values: pa.Array, text_format: str | None) -> pa.Array:
    """``values`` in a column's format: a case for text, a ``strftime`` pattern for dates."""
    if text_format is None:
        return values
    if pa.types.is_date(values.type):
        return pc.strftime(values.cast(pa.timestamp("s")), format=text_format)
    return TEXT_FORMATS[text_format](values)


GENERATORS: dict[str, Generator] = {
    "person": person,
    "faker": faker,
    "choice": choice,
    "number": number,
    "date": date,
    "pattern": pattern,
    "expr": expr,
    "ref": ref,
}
"""Generator key -> the function making its column."""
