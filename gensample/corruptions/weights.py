"""The default fuzz map as data: how often each field is corrupted, and with what."""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


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
