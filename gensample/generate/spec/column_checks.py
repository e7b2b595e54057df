"""The checks of a spec dataset's columns: each generator's options can run (Faker providers,
choices, number and date bounds, references, expressions, formats). A fault is a ``Fault`` at
its path inside the file."""

import datetime as dt

import pyarrow as pa

from gensample.generate.spec import expressions
from gensample.generate.spec.columns import (
    PERSON_ATTRIBUTES,
    TEXT_FORMATS,
    faker_for,
    faker_providers,
)


class Fault(ValueError):
    """A fault at a path inside a spec file (or a spec dataset: ``engine``): ``path``, the
    reason."""

    def __init__(self, path: tuple, reason: str) -> None:
        super().__init__(reason)
        self.path = path


def check_column(dataset: dict, column: dict, known: dict, at: tuple) -> None:
    """Refuse a column whose generator cannot run."""
    if "person" in column:
        if column["person"] not in PERSON_ATTRIBUTES:
            raise Fault((*at, "person"), f"expected one of {list(PERSON_ATTRIBUTES)}")
        if "population" not in dataset:
            raise Fault((*at, "person"), "a person column needs the dataset's population share")
    if "faker" in column:
        _check_faker(column, at)
    if "choice" in column:
        _check_choice(column["choice"], (*at, "choice"))
    if "number" in column:
        _check_number(column["number"], (*at, "number"))
    if "date" in column:
        _check_date(column["date"], (*at, "date"))
    if "ref" in column:
        ref = column["ref"]
        check_ref(ref["dataset"], ref["column"], ref.get("weights"), known, (*at, "ref"))
    if "expr" in column:
        _check_expression(column["expr"], dataset, (*at, "expr"))
    if "format" in column:
        _check_format(column, (*at, "format"))


def _check_faker(column: dict, at: tuple) -> None:
    """A Faker provider that exists and takes the column's arguments."""
    locale = column.get("locale", "en_US")
    try:
        providers = faker_providers(locale)
    except ModuleNotFoundError:
        raise Fault((*at, "faker"), "needs Faker: pip install 'gensample[spec]'") from None
    except AttributeError:
        raise Fault((*at, "locale"), f"unknown Faker locale {locale!r}") from None
    if column["faker"] not in providers:
        raise Fault((*at, "faker"), f"unknown Faker provider {column['faker']!r}")
    try:
        getattr(faker_for(locale), column["faker"])(**column.get("args", {}))
    except Exception as error:  # whatever the provider refuses its arguments with
        raise Fault((*at, "args"), f"{column['faker']} refuses them: {error}") from None


def _check_choice(choice: dict, at: tuple) -> None:
    """Weights: one per value, adding up to more than 0."""
    weights = choice.get("weights")
    if weights is not None and len(weights) != len(choice["values"]):
        raise Fault((*at, "weights"), f"expected {len(choice['values'])} weights, one per value")
    if weights is not None and not sum(weights) > 0:
        raise Fault((*at, "weights"), "expected weights adding up to more than 0")
    try:
        pa.array(choice["values"])
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        raise Fault(
            (*at, "values"), "expected values of one type (all texts, or all numbers)"
        ) from None


def _check_number(number: dict, at: tuple) -> None:
    """Bounds in order; a Poisson mean >= 0."""
    if number.get("min", 0) > number.get("max", 1e300):
        raise Fault(at, "min is above max")
    if number["distribution"] == "poisson" and number.get("mean", 1) < 0:
        raise Fault((*at, "mean"), "expected a mean >= 0 for a poisson distribution")


def _check_date(window: dict, at: tuple) -> None:
    """Days of the calendar, ``from`` not after ``to``."""
    for end in ("from", "to"):
        try:
            dt.date.fromisoformat(window[end])
        except ValueError:
            raise Fault(
                (*at, end), f"{window[end]!r} is no day of the calendar: expected YYYY-MM-DD"
            ) from None
    if window["from"] > window["to"]:
        raise Fault(at, "from is after to")


def check_ref(parent: str, column: str, weights: str | None, known: dict, at: tuple) -> None:
    """A reference to a dataset and columns that exist (``key``: the parent's id column)."""
    if parent not in known:
        raise Fault(at, f"no dataset or table {parent!r}: expected one of {sorted(known)}")
    for wanted in (column, weights):
        if wanted not in (None, "key") and wanted not in known[parent]:
            raise Fault(at, f"no column {wanted!r} in {parent}: expected one of {known[parent]}")


def _check_expression(text: str, dataset: dict, at: tuple) -> None:
    """An expression of the language, over columns of the dataset."""
    try:
        names = expressions.names(expressions.parse(text))
    except ValueError as error:
        raise Fault(at, str(error)) from None
    unknown = names - set(dataset["columns"]) - {dataset["id"]["column"]}
    if unknown:
        raise Fault(at, f"unknown columns {sorted(unknown)}")


def _check_format(column: dict, at: tuple) -> None:
    """A format only where values have one: text cases, date patterns."""
    if "date" in column or column.get("person") == "birth_date":
        if "%" not in column["format"]:
            raise Fault(at, "expected a strftime pattern such as %Y-%m-%d for a date")
        return
    if "person" not in column or column["format"] not in TEXT_FORMATS:
        raise Fault(at, f"expected one of {list(TEXT_FORMATS)} on a person column, or a date")
