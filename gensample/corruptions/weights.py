"""The default fuzz map as data: how often each field is corrupted, and with what."""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from gensample import reference


@dataclass(frozen=True)
class FieldFuzz:
    """How often a field is picked for corruption, and which corruptions it gets."""

    weight: float
    corruptions: Mapping[str, float]


DEFAULT_FUZZ_MAP = MappingProxyType(
    {
        "first_name": FieldFuzz(
            3.0,
            {
                "use_nickname": 4,
                "make_typo": 2,
                "misspell_phonetically": 1.5,
                "transpose_letters": 1,
                "drop_letter": 1,
                "use_initial": 1,
                "change_case": 1,
                "leave_blank": 0.3,
                "make_ocr_error": 0.3,
                "remove_diacritics": 0.3,
                "add_diacritic": 0.1,
                "change_title": 0.2,
                "add_stray_space": 0.2,
                "split_word": 0.1,
            },
        ),
        "last_name": FieldFuzz(
            3.0,
            {
                "make_typo": 3,
                "misspell_phonetically": 2,
                "transpose_letters": 1,
                "drop_letter": 1,
                "double_letter": 1,
                "change_case": 1,
                "leave_blank": 0.2,
                "make_ocr_error": 0.3,
                "remove_diacritics": 0.3,
                "add_diacritic": 0.1,
                "change_suffix": 0.3,
                "rewrite_double_name": 0.3,
                "split_word": 0.3,
                "merge_words": 0.3,
                "add_stray_punctuation": 0.2,
            },
        ),
        "name": FieldFuzz(0.5, {"swap_given_and_family_name": 1, "type_into_wrong_field": 0.5}),
        "birth_date": FieldFuzz(
            1.5,
            {
                "swap_day_month": 2,
                "mistype_day": 1,
                "mistype_year": 1,
                "use_first_of_month": 0.5,
                "use_january_first": 0.5,
                "misread_two_digit_year": 0.3,
                "leave_blank": 0.5,
            },
        ),
        "email": FieldFuzz(
            2.0,
            {
                "change_email_domain": 2,
                "make_typo": 1,
                "drop_letter": 1,
                "change_email_dots": 1,
                "misspell_email_domain": 1,
                "add_plus_tag": 0.5,
                "leave_blank": 0.5,
            },
        ),
        "phone": FieldFuzz(
            2.0,
            {
                "reformat_phone": 3,
                "make_typo": 1,
                "transpose_letters": 1,
                "mistype_digit": 1,
                "transpose_digits": 1,
                "leave_blank": 1,
            },
        ),
        "address_line1": FieldFuzz(
            2.0,
            {
                "abbreviate_street": 3,
                "make_typo": 1,
                "mistype_digit": 1,
                "change_case": 1,
                "abbreviate_directional": 0.5,
                "merge_words": 0.3,
                "add_stray_punctuation": 0.3,
                "make_ocr_error": 0.2,
                "leave_blank": 0.3,
            },
        ),
        "address_line2": FieldFuzz(0.3, {"change_unit_designator": 3, "leave_blank": 1}),
        "city": FieldFuzz(
            0.7,
            {
                "make_typo": 1,
                "change_case": 1,
                "drop_letter": 1,
                "misspell_phonetically": 0.5,
                "merge_words": 0.3,
            },
        ),
        "postal_code": FieldFuzz(
            0.5, {"make_typo": 1, "transpose_letters": 1, "mistype_digit": 1, "transpose_digits": 1}
        ),
        "gender": FieldFuzz(0.3, {"leave_blank": 1}),
    }
)

IDENTIFIERS = ("email", "phone", "birth_date")
"""Fields that almost identify a person on their own: a matcher leans on them most."""
HEAVY = (
    "use_nickname",
    "misspell_phonetically",
    "make_ocr_error",
    "leave_blank",
    "change_email_domain",
    "misspell_email_domain",
    "mistype_digit",
    "mistype_year",
    "use_january_first",
    "swap_given_and_family_name",
    "type_into_wrong_field",
)
"""Corruptions that change a value the most (not only its writing)."""


@dataclass(frozen=True)
class Difficulty:
    """How a difficulty preset weighs the fuzz map and how many errors a record carries."""

    identifier_weight: float
    """Multiplier of the weights of the ``IDENTIFIERS`` fields."""
    heavy_weight: float
    """Multiplier of the weights of the ``HEAVY`` corruptions."""
    extra_fields: int
    """Added to ``fuzz.max_fields`` (at least one field is always corrupted)."""
    hurried_share: float
    """Share of fuzzed records typed in a hurry: they corrupt the most fields."""
    exact_share: float
    """Multiplier of ``exact_duplicate_share``."""
    variation_share: float
    """Multiplier of the shares of records carrying a person's other true values."""
    original_share: float
    """Share of a person's first record in each system fuzzed like a duplicate."""


DIFFICULTIES = MappingProxyType(
    {
        "easy": Difficulty(0.3, 0.3, -1, 0.0, 2.0, 0.0, 0.05),
        "medium": Difficulty(2.5, 1.5, 1, 0.35, 0.5, 1.0, 0.4),
        "hard": Difficulty(3.5, 2.5, 2, 0.5, 0.2, 2.0, 0.7),
    }
)
"""The difficulty presets, easiest first (``difficulty.preset`` in settings)."""

SOURCE_VARIATIONS = MappingProxyType(
    {
        name: MappingProxyType(system["variations"])
        for name, system in reference.built_in_systems().items()
        if "variations" in system
    }
)
"""Per built-in source system, the share of its records carrying each of a person's other true
values (``email:work``, ``phone:landline``, ``address:previous``, ``last_name:maiden``,
``first_name:preferred``), before the preset's ``variation_share``, as the shipped
``systems.toml`` declares them (a run's spec files may change them: ``datasets.systems``): a
web shop gets the personal e-mail, a store's loyalty desk a home phone, an incident form a work
phone. A variation a system does not list, or whose columns it does not hold, it never
carries."""
VARIATIONS = (
    "email:work",
    "phone:landline",
    "address:previous",
    "last_name:maiden",
    "first_name:preferred",
)
"""Every kind of other true value a person may have (``gensample.generate.variants``)."""


def weighed(fuzz_map: Mapping[str, FieldFuzz], difficulty: Difficulty) -> dict[str, FieldFuzz]:
    """``fuzz_map`` with the preset's multipliers applied to identifier fields and heavy
    corruptions."""
    return {
        name: FieldFuzz(
            entry.weight * (difficulty.identifier_weight if name in IDENTIFIERS else 1.0),
            {
                corruption: weight * (difficulty.heavy_weight if corruption in HEAVY else 1.0)
                for corruption, weight in entry.corruptions.items()
            },
        )
        for name, entry in fuzz_map.items()
    }
