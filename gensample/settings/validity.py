"""The ``[validity]`` section: whether duplicates may hold values their system would reject."""

from dataclasses import dataclass

from gensample.settings.schema import setting


@dataclass(frozen=True)
class ValiditySettings:
    """What the source systems validate when a record is captured."""

    invalid_dates: bool = setting(
        False,
        "Let corrupted birth dates a system would reject (after the day the record was "
        "captured) through, labelled birth_date:invalid_date; else they are mistyped by a day.",
    )
