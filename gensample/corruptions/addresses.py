"""Address variants: unit designators and directionals written another way."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions.arrays import choose_other, current_index, substitute_one
from gensample.native.strings import join_element_wise
from gensample.native.take import take

UNIT_DESIGNATORS = ("Apt ", "Apt. ", "#", "Unit ", "Apartment ", "Ste ")
"""Ways of writing an apartment or unit before its number (with what follows them)."""
_UNIT = r"^(?P<designator>(?i:apt\.?|apartment|unit|ste|suite|#) ?)(?P<number>\S+)$"


DIRECTIONALS = {
    "North": "N",
    "South": "S",
    "East": "E",
    "West": "W",
    "Northeast": "NE",
    "Northwest": "NW",
    "Southeast": "SE",
    "Southwest": "SW",
}
"""Directional word -> its USPS abbreviation."""
_DIRECTIONAL_RULES = tuple(
    rule
    for word, short in DIRECTIONALS.items()
    for rule in ((rf"\b{word}\b", short), (rf"\b{short}\b\.?", word))
)


def change_unit_designator(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Write the unit with another designator: 'Apt 4' -> '#4', 'Unit 4' or 'Apartment 4'."""
    parts = pc.extract_regex(values, _UNIT)
    designators = pa.array(UNIT_DESIGNATORS)
    current = current_index(pc.struct_field(parts, "designator"), designators)
    chosen = take(designators, choose_other(np.ones(len(designators)), current, rng))
    joined = join_element_wise(chosen, pc.struct_field(parts, "number"), "")
    return pc.coalesce(joined, values)


def abbreviate_directional(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Write a directional the other way: '12 North Oak St' -> '12 N Oak St', and back."""
    return substitute_one(values, _DIRECTIONAL_RULES, rng)
