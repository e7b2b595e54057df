"""The corruption catalogue: small pure functions named after the human error they imitate.

Single-column corruptions are ``fn(values, rng) -> values`` on Arrow arrays and keep the type,
the length and the nulls; the ``name_pair`` ones (``swap_given_and_family_name``,
``type_into_wrong_field``) take and return a pair of columns. Each changes a value whenever its
error can apply to it. ``CORRUPTIONS`` says which kinds of field ("text", "date", "name_pair")
each one applies to; the fuzz map chooses among them. A corruption draws one value per row it
is given, or draws for some of its rows through ``row_draws.for_rows``: one call may hold the
rows of several systems, each drawing from its own generator (see ``layered``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gensample.corruptions.addresses import abbreviate_directional, change_unit_designator
from gensample.corruptions.contact import abbreviate_street, change_email_domain, reformat_phone
from gensample.corruptions.dates import (
    misread_two_digit_year,
    mistype_day,
    mistype_year,
    swap_day_month,
    use_first_of_month,
    use_january_first,
)
from gensample.corruptions.emails import add_plus_tag, change_email_dots, misspell_email_domain
from gensample.corruptions.names import (
    change_suffix,
    change_title,
    rewrite_double_name,
    swap_given_and_family_name,
    type_into_wrong_field,
    use_nickname,
)
from gensample.corruptions.numbers import mistype_digit, transpose_digits
from gensample.corruptions.spacing import (
    add_stray_punctuation,
    add_stray_space,
    merge_words,
    split_word,
)
from gensample.corruptions.spelling import (
    add_diacritic,
    make_ocr_error,
    misspell_phonetically,
    remove_diacritics,
)
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
_PAIR = frozenset({"name_pair"})

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
        (make_ocr_error, _TEXT),
        (misspell_phonetically, _TEXT),
        (remove_diacritics, _TEXT),
        (add_diacritic, _TEXT),
        (split_word, _TEXT),
        (merge_words, _TEXT),
        (add_stray_space, _TEXT),
        (add_stray_punctuation, _TEXT),
        (change_suffix, _TEXT),
        (change_title, _TEXT),
        (rewrite_double_name, _TEXT),
        (mistype_digit, _TEXT),
        (transpose_digits, _TEXT),
        (add_plus_tag, _TEXT),
        (change_email_dots, _TEXT),
        (misspell_email_domain, _TEXT),
        (change_unit_designator, _TEXT),
        (abbreviate_directional, _TEXT),
        (swap_day_month, _DATE),
        (mistype_day, _DATE),
        (mistype_year, _DATE),
        (use_first_of_month, _DATE),
        (use_january_first, _DATE),
        (misread_two_digit_year, _DATE),
        (swap_given_and_family_name, _PAIR),
        (type_into_wrong_field, _PAIR),
    )
}
"""Every corruption by name, with the kinds of field it applies to."""

__all__ = ["CORRUPTIONS", "Corruption", *CORRUPTIONS]
