"""The ``[difficulty]`` section: how hard duplicates are to match, as a preset plus manual
controls on top of it (the presets are data: ``gensample.corruptions.weights.DIFFICULTIES``)."""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gensample.corruptions.weights import DIFFICULTIES, SOURCE_VARIATIONS, VARIATIONS
from gensample.errors import BadInputError
from gensample.settings.schema import check_number, setting

SYSTEMS = ("customers", "pos_customers", "loyalty_members", "email_subscribers", "incident_reports")
"""Source systems whose records a person types or has typed (their errors can be dialled)."""
MOST_HURRY = 100.0


def check_source_hurry(value: Any, where: str) -> dict[str, float]:
    """Validate ``source_hurry``: a table of known systems, each a finite multiplier >= 0."""
    if not isinstance(value, Mapping):
        raise BadInputError(f"{where} = {value!r} is not allowed: expected a table {{system = N}}")
    for system, multiplier in value.items():
        if system not in SYSTEMS:
            raise BadInputError(f"{where}.{system}: unknown system; allowed: {', '.join(SYSTEMS)}")
        number = isinstance(multiplier, (int, float)) and not isinstance(multiplier, bool)
        if not number or not math.isfinite(multiplier) or not 0 <= multiplier <= MOST_HURRY:
            raise BadInputError(
                f"{where}.{system} = {multiplier!r} is not allowed: expected a number from 0 to "
                f"{MOST_HURRY:g}"
            )
    return {system: float(multiplier) for system, multiplier in value.items()}


def check_source_variations(value: Any, where: str) -> dict[str, dict[str, float]]:
    """Validate ``source_variations``: a table of known systems, each a table of known
    variations, each a share from 0 to 1."""
    if not isinstance(value, Mapping):
        raise BadInputError(
            f"{where} = {value!r} is not allowed: expected a table {{system = {{variation = N}}}}"
        )
    checked = {}
    for system, shares in value.items():
        if system not in SOURCE_VARIATIONS:
            raise BadInputError(
                f"{where}.{system}: unknown system; allowed: {', '.join(SOURCE_VARIATIONS)}"
            )
        if not isinstance(shares, Mapping):
            raise BadInputError(
                f"{where}.{system} = {shares!r} is not allowed: expected a table {{variation = N}}"
            )
        for variation in shares:
            if variation not in VARIATIONS:
                raise BadInputError(
                    f"{where}.{system}.{variation}: unknown variation; allowed: "
                    f"{', '.join(VARIATIONS)}"
                )
        checked[system] = {
            variation: check_number(share, f"{where}.{system}.{variation}", float, 0, 1)
            for variation, share in shares.items()
        }
    return checked


def preset_share(meaning: str) -> Any:
    """A setting of a share from 0 to 1 that, not set, the preset gives."""
    return setting(
        None,
        meaning,
        check=lambda value, where: check_number(value, where, float, 0, 1),
        allowed="a number from 0 to 1",
    )


@dataclass(frozen=True)
class DifficultySettings:
    """How hard the duplicates are: a preset, and manual controls that override it."""

    preset: str = setting(
        "medium",
        "How hard duplicates are to match: easy, medium or hard (README: Difficulty).",
        choices=tuple(DIFFICULTIES),
    )
    hurried_share: float | None = preset_share(
        "Share (0-1) of fuzzed records typed in a hurry (the most fields corrupted); not set: "
        "the preset's."
    )
    source_hurry: Any = setting(
        None,
        "Multiplier per source system of its share of hurried records, e.g. "
        "{pos_customers = 3.0}; not set: each system's own.",
        check=check_source_hurry,
        allowed=f"a table {{system = N}}, systems among {', '.join(SYSTEMS)}, each N from 0 to "
        f"{MOST_HURRY:g}",
    )
    original_share: float | None = preset_share(
        "Share (0-1) of a person's first record in each source system that carries errors like "
        "a duplicate; not set: the preset's."
    )
    source_variations: Any = setting(
        None,
        "Share per source system of its records carrying each of a person's other true values, "
        'e.g. {pos_customers = {"phone:landline" = 0.5}}; replaces the preset-scaled default '
        "of that system and variation (README: Difficulty).",
        check=check_source_variations,
        allowed=f"a table {{system = {{variation = N}}}}, systems among "
        f"{', '.join(SOURCE_VARIATIONS)}, variations among {', '.join(VARIATIONS)}, each N "
        "from 0 to 1",
    )
