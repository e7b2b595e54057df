"""What a product's catalog row says in words: its name and the vehicles it fits, and the
per-item arrays of the catalog files the products are drawn from."""

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.native.strings import join_element_wise
from gensample.native.take import take
from gensample.reference import catalog as catalog_data


def column_of(rows: tuple, field: str) -> np.ndarray:
    """One field of every catalog row (item or brand), indexable by row numbers."""
    return np.array([getattr(row, field) for row in rows])


def pack_table(items: tuple, part: Callable, fill: object) -> np.ndarray:
    """``part`` of each (item, pack), ``fill`` past an item's packs: indexed by item and pack."""
    most = max(len(item.packs) for item in items)
    return np.array(
        [[part(pack) for pack in item.packs] + [fill] * (most - len(item.packs)) for item in items]
    )


def vehicle_fits(
    draw: Callable[[str], np.random.Generator],
    item: np.ndarray,
    vehicle: np.ndarray,
    data: catalog_data.CatalogData,
) -> pa.Array:
    """'Make Model first-last' for parts that fit particular vehicles (the ``vehicle``-th of
    vehicles.csv, modulo their number), else empty; ``draw`` gives the stream of each
    attribute."""
    start, length = (draw(part).random(len(item)) for part in ("fit_from", "fit_years"))
    fits = column_of(data.items, "fits").astype(bool)[item] if data.items else np.zeros(0, bool)
    if not data.vehicles:
        return pa.nulls(len(item), pa.string())
    car = vehicle % len(data.vehicles)
    first_year, last_year = (column_of(data.vehicles, f)[car] for f in ("first_year", "last_year"))
    first = first_year + (start * (last_year - first_year + 1)).astype(np.int64)
    last = np.minimum(last_year, first + 2 + (length * 7).astype(np.int64))
    makes = [f"{v.make} {v.model} " for v in data.vehicles]
    years = [pc.cast(pa.array(years), pa.string()) for years in (first, last)]
    texts = join_element_wise(take(pa.array(makes), car), years[0], "")
    texts = join_element_wise(texts, years[1], "-")
    return pc.if_else(pa.array(fits), texts, pa.scalar(None, pa.string()))


def names(
    data: catalog_data.CatalogData,
    item: np.ndarray,
    variant: np.ndarray,
    pack: np.ndarray,
    brand: np.ndarray,
) -> pa.Array:
    """'<brand> <variant> <item>, <pack>' (the parts an item does not have left out)."""
    most = max(max(len(entry.variants), 1) for entry in data.items)
    described = np.full((len(data.items), most), "", object)
    for i, entry in enumerate(data.items):
        for v in range(max(len(entry.variants), 1)):
            described[i, v] = " ".join(["", *entry.variants[v : v + 1], entry.name])
    labelled = pack_table(data.items, lambda pack: f", {pack[0]}" if pack[0] else "", "")
    brand_names = take(pa.array(column_of(data.brands, "name")), brand)
    return join_element_wise(
        brand_names,
        pa.array(described[item, variant], pa.string()),
        pa.array(labelled[item, pack], pa.string()),
        "",
    )
