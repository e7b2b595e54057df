"""The corruption catalogue: small pure functions named after the human error they imitate.

Single-column corruptions are ``fn(values, rng) -> values`` on Arrow arrays and keep the type,
the length and the nulls; ``swap_given_and_family_name`` takes and returns a pair of columns.
Each changes a value whenever its error can apply to it. ``CORRUPTIONS`` says which kinds of
field ("text", "date", "name_pair") each one applies to; the fuzz map chooses among them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gensample.corruptions.contact import abbreviate_street, change_email_domain, reformat_phone
from gensample.corruptions.dates import (
    mistype_day,
    mistype_year,
    swap_day_month,
    use_first_of_month,
)
from gensample.corruptions.names import swap_given_and_family_name, use_nickname
from gensample.corruptions.text import (
    change_case,
    double_letter,
    drop_letter,
    leave_blank,
    make_typo,
    transpose_letters,
    use_initial,
)


@dataclass(frozen=True)
class Corruption:
    """A corruption function and the kinds of field it applies to."""

    function: Callable[..., Any]
    applies_to: frozenset[str]


_TEXT = frozenset({"text"})
_DATE = frozenset({"date"})

CORRUPTIONS: dict[str, Corruption] = {
    function.__name__: Corruption(function, kinds)
    for function, kinds in (
        (make_typo, _TEXT),
        (transpose_letters, _TEXT),
        (drop_letter, _TEXT),
        (double_letter, _TEXT),
        (use_initial, _TEXT),
        (change_case, _TEXT),
        (leave_blank, _TEXT | _DATE),
        (use_nickname, _TEXT),
        (abbreviate_street, _TEXT),
        (change_email_domain, _TEXT),
        (reformat_phone, _TEXT),
        (swap_day_month, _DATE),
        (mistype_day, _DATE),
        (mistype_year, _DATE),
        (use_first_of_month, _DATE),
        (swap_given_and_family_name, frozenset({"name_pair"})),
    )
}
"""Every corruption by name, with the kinds of field it applies to."""

__all__ = [
    "CORRUPTIONS",
    "Corruption",
    "abbreviate_street",
    "change_case",
    "change_email_domain",
    "double_letter",
    "drop_letter",
    "leave_blank",
    "make_typo",
    "mistype_day",
    "mistype_year",
    "reformat_phone",
    "swap_day_month",
    "swap_given_and_family_name",
    "transpose_letters",
    "use_first_of_month",
    "use_initial",
    "use_nickname",
]
