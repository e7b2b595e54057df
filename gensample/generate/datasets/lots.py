"""The own manufacturer's production: which products come out of one batch, and when each
batch is made; a pure function of the seed, the catalog and the day.

A ``process`` item (``items.csv``) of the own line is blended per variant: one blend (e.g.
Quillmark Pro 5W-30 Synthetic Blend Motor Oil) is packed into every pack of it, each its own
product. A ``discrete`` item is made in runs of one product (a filter of one size). Each batch
line (a blend, or a run's product) is made every ``every_days`` of its mode
(``production.csv``), on days shifted by a phase of its own; a lot reaches the distributors
``ready_days`` after it is made, and a shipment takes the newest lot that has.
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate.datasets import products as products_
from gensample.generate.datasets.stock import mix, per_catalog, text_keys
from gensample.native.strings import join_element_wise
from gensample.reference import catalog, supply
from gensample.settings import Settings

LOT_PREFIX = "Q"
"""Lot numbers read Q, the day made (yymmdd), a dash and the batch line's number."""


@dataclass(frozen=True, eq=False)
class Lines:
    """The run's batch lines: what each own product is made in, and each line's schedule."""

    of_product: np.ndarray
    """Each product's batch line, -1 for a product the own manufacturer does not make."""
    names: list[str]
    modes: list[str]
    every: np.ndarray
    phase: np.ndarray
    ready: np.ndarray
    keys: np.ndarray


@per_catalog
def lines(settings: Settings) -> Lines:
    """The batch lines of the run's catalog (none for a user's products file)."""
    production = supply.load(settings.retail.data_dir).production
    made = _batch_lines(settings)
    names = sorted({name for name, _ in made if name})
    index = {name: i for i, name in enumerate(names)}
    modes = dict(made)
    every = np.array([production[modes[name]].every_days for name in names], np.int64)
    keys = text_keys(settings.seed, names)
    return Lines(
        of_product=np.array([index.get(name, -1) for name, _ in made], np.int64),
        names=names,
        modes=[modes[name] for name in names],
        every=every,
        phase=(keys % every.astype(np.uint64)).astype(np.int64),
        ready=np.array([production[modes[name]].ready_days for name in names], np.int64),
        keys=keys,
    )


def _batch_lines(settings: Settings) -> list[tuple[str, str]]:
    """The batch line (by name, '' for none) and mode of each product: its brand, variant and
    item for a blend, the product itself for a run."""
    products = products_.of_run(settings)
    if settings.retail.products_file:
        return [("", "")] * products.num_rows
    data = catalog.load(settings.retail.data_dir)
    item, variant = products_.makeup(settings.seed, products.num_rows, settings.retail.data_dir)
    own = {brand.name for brand in data.brands if brand.own}
    made = []
    brands, labels = products["brand"].to_pylist(), products["product_name"].to_pylist()
    for i, v, brand, label in zip(item, variant, brands, labels, strict=True):
        entry = data.items[i]
        if brand not in own or entry.mode not in supply.MODES:
            made.append(("", ""))
        elif entry.mode == "process":
            made.append((" ".join([brand, *entry.variants[v : v + 1], entry.name]), entry.mode))
        else:
            made.append((label, entry.mode))
    return made


def made_by(made: Lines, line: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The day the newest lot of each batch line ready for shipping on ``day`` was made."""
    latest = day - made.ready[line]
    return latest - (latest + made.phase[line]) % made.every[line]


def lot_numbers(line: np.ndarray, made_on: np.ndarray) -> pa.Array:
    """The lot number of the batch of each line made on each day (days since the epoch)."""
    stamp = pc.strftime(pa.array(made_on.astype("datetime64[D]")), format="%y%m%d")
    number = pc.utf8_lpad(pc.cast(pa.array(line), pa.string()), 4, "0")
    return join_element_wise(LOT_PREFIX, stamp, "-", number, "")


def batch_size(made: Lines, line: np.ndarray, made_on: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The size of each batch: its mode's ``batch_size`` times 0.8 to 1.2, per lot."""
    key = mix(made.keys[line] ^ made_on.astype(np.uint64))
    return np.round(sizes * (0.8 + 0.4 * (key >> np.uint64(11)) / 2.0**53)).astype(np.int64)
