"""How many of a product a line buys: a job's worth of its category, in the product's packs.

``quantities.csv`` weighs the units a line of each category buys, counted in the category's
smallest pack (five quarts of motor oil for an oil change, four or six spark plugs, one
battery). A product in a bigger pack of the same unit takes as many of its packs as come
nearest (one 5-quart jug, two 1-gallon jugs for six quarts), and always at least one.
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate.datasets.shoppers import draw_rows, lookups
from gensample.native.take import one_array
from gensample.reference import retail


@dataclass(frozen=True, eq=False)
class Quantities:
    """A products table made ready for drawing the quantities of its lines."""

    units: np.ndarray
    """The units a line may buy (``Retail.quantity_units``)."""
    lookup: np.ndarray
    """(category, units) lookup table (``shoppers.lookups``) over the shelf's categories."""
    category: np.ndarray
    """Each product's category (index among the shelf's categories)."""
    packs: np.ndarray
    """Each product's pack, in smallest packs of its category and unit (1 without sizes)."""


def of(
    curves: retail.Retail, products: pa.Table, category: np.ndarray, names: pa.Array
) -> Quantities:
    """The quantity tables of ``products``: ``category`` is each product's index into
    ``names``, the shelf's categories."""
    row = pc.index_in(names, value_set=pa.array(curves.categories)).fill_null(-1).to_numpy()
    return Quantities(
        units=curves.quantity_units,
        lookup=lookups(curves.quantity_weights[row]),  # -1: the last row, ``*``'s
        category=category,
        packs=_packs(products, category),
    )


def draw(rng: np.random.Generator, drawn: Quantities, product: np.ndarray) -> np.ndarray:
    """The quantity of each line of ``product`` (rows of the products table)."""
    units = drawn.units[draw_rows(rng, drawn.lookup, drawn.category[product])]
    return np.maximum(np.floor(units / drawn.packs[product] + 0.5), 1).astype(np.int64)


def _packs(products: pa.Table, category: np.ndarray) -> np.ndarray:
    """Each product's pack size over the smallest of its category and unit (1 when the table
    has no sizes, or a product none above 0)."""
    if "pack_size" not in products.column_names:
        return np.ones(products.num_rows)
    size = products["pack_size"].cast(pa.float64()).fill_null(0).to_numpy()
    sized = size > 0
    unit = products["unit"] if "unit" in products.column_names else pa.nulls(len(size))
    kind = one_array(pc.cast(unit, pa.string()).fill_null("")).dictionary_encode()
    group = category * len(kind.dictionary) + kind.indices.to_numpy()
    smallest = np.full(group.max(initial=0) + 1, np.inf)
    np.minimum.at(smallest, group[sized], size[sized])
    return np.where(sized, size / np.where(sized, smallest[group], 1), 1.0)
