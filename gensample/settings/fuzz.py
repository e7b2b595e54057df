"""Checking ``[fuzz.fields]`` overrides of the fuzz map against the corruption catalogue."""

import math
from collections.abc import Mapping
from typing import Any

from gensample.corruptions import CORRUPTIONS
from gensample.corruptions.fuzzmap import DEFAULT_FUZZ_MAP, FIELD_KINDS, FieldFuzz
from gensample.errors import BadInputError
from gensample.settings.schema import check_number


def check_fields(value: Any, where: str) -> dict[str, FieldFuzz]:
    """Validate ``[fuzz.fields]`` overrides; raise naming the field or corruption at fault."""
    if not isinstance(value, Mapping):
        raise BadInputError(f"{where} must be a table of fields")
    checked = {
        field: _check_field(field, entry, f"{where}.{field}") for field, entry in value.items()
    }
    # the defaults add little enough that a finite sum of the overrides stays finite with them
    weights = {field: fuzz.weight for field, fuzz in checked.items()}
    _check_sum(weights, f"{where}.*.weight", "field weights")
    return checked


def _check_field(field: str, entry: Any, where: str) -> FieldFuzz:
    if field not in DEFAULT_FUZZ_MAP:
        raise BadInputError(f"{where}: unknown field; allowed: {', '.join(DEFAULT_FUZZ_MAP)}")
    default = DEFAULT_FUZZ_MAP[field]
    if not isinstance(entry, Mapping) or set(entry) - {"weight", "corruptions"}:
        raise BadInputError(
            f"{where} = {entry!r} is not allowed: expected a table with "
            "weight = number and corruptions = {name = number}"
        )
    weight = check_number(entry.get("weight", default.weight), f"{where}.weight", minimum=0)
    corruptions = entry.get("corruptions", default.corruptions)
    if not isinstance(corruptions, Mapping) or not corruptions:
        raise BadInputError(
            f"{where}.corruptions = {corruptions!r} is not allowed: expected a "
            "non-empty table {corruption = weight}"
        )
    kind = FIELD_KINDS.get(field, "text")
    allowed = [name for name, c in CORRUPTIONS.items() if kind in c.applies_to]
    for name in corruptions:
        if name not in allowed:
            raise BadInputError(
                f"{where}.corruptions: {name!r} does not apply to {field}; "
                f"allowed: {', '.join(allowed)}"
            )
    checked = {
        name: check_number(w, f"{where}.corruptions.{name}", minimum=0)
        for name, w in corruptions.items()
    }
    _check_sum(checked, f"{where}.corruptions", "weights")
    return FieldFuzz(weight, checked)


def _check_sum(weights: Mapping[str, float], where: str, what: str) -> None:
    """Refuse weights (each finite) whose sum is not: picks are drawn by weight / sum."""
    if not math.isfinite(sum(weights.values())):
        raise BadInputError(
            f"{where} = {dict(weights)!r} is not allowed: expected {what} adding up to a finite "
            "number"
        )
