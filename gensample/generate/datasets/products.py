"""``products``: the auto-parts catalog, reference data the same every day.

A pure function of ``(seed, count)``. SKUs are the first ``count`` numbers of a fixed shuffle of
all six-digit numbers and every attribute is drawn from its own stream, one value per product in
that order, so a bigger catalog holds every product of a smaller one unchanged.
"""

import functools
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate.datasets.common import MONEY, money
from gensample.generate.datasets.texts import listed
from gensample.generate.seeding import stream
from gensample.settings import DATASET_PARENTS

NAME = "products"
REFERENCE = True
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("sku", pa.string()),
        ("product_name", pa.string()),
        ("category", pa.string()),
        ("brand", pa.string()),
        ("tier", pa.string()),
        ("price", MONEY),
    ]
)
SKU_PREFIX = "AP-"
SKU_DIGITS = 6
OWN_BRAND = "AutoPoint"
OWN_BRAND_SHARE = 0.35
"""Share of each category's products sold under the retailer's own brand."""
OWN_BRAND_DISCOUNT = 0.85
"""Own-brand prices relative to the competing brands' prices of the same item."""
TIERS = ("budget", "mid", "premium")
"""Price tiers, cheapest first: each a third of an item's price range (log scale)."""
PRIMARY_KEY = ("sku",)
FOREIGN_KEYS: dict[str, tuple[str, str]] = {}


class Category(NamedTuple):
    """A department: its share of the catalog, competing brands, variants and items.

    An item is (name, lowest price, highest price) in dollars; a variant (None for none) goes
    between brand and item in a product's name.
    """

    name: str
    share: float
    brands: tuple[str, ...]
    variants: tuple[str | None, ...]
    items: tuple[tuple[str, float, float], ...]


CATEGORIES = (
    Category(
        "motor oil",
        0.14,
        ("Viscor", "Petronix", "Royal Crest", "Slickline"),
        ("0W-16", "0W-20", "5W-20", "5W-30", "10W-30", "5W-40", "15W-40"),
        (
            ("Full Synthetic Motor Oil, 5 qt", 27, 45),
            ("Synthetic Blend Motor Oil, 5 qt", 20, 30),
            ("Conventional Motor Oil, 5 qt", 15, 25),
            ("High Mileage Motor Oil, 5 qt", 25, 38),
            ("Full Synthetic Motor Oil, 1 qt", 7, 11),
            ("Diesel Engine Oil, 1 gal", 18, 28),
        ),
    ),
    Category(
        "gear oil and grease",
        0.04,
        ("Petronix", "Slickline"),
        (None,),
        (
            ("75W-90 Gear Oil, 1 qt", 9, 18),
            ("80W-90 Gear Oil, 1 qt", 7, 14),
            ("Multi-Purpose Grease, 14 oz", 5, 11),
            ("Synthetic Grease, 14 oz", 9, 16),
        ),
    ),
    Category(
        "coolant",
        0.04,
        ("Coolcore", "Petronix"),
        ("Green", "Orange", "Universal"),
        (
            ("Antifreeze and Coolant, 1 gal", 15, 30),
            ("50/50 Prediluted Coolant, 1 gal", 12, 22),
        ),
    ),
    Category(
        "fluids",
        0.05,
        ("Petronix", "Slickline"),
        (None,),
        (
            ("DOT 3 Brake Fluid, 32 oz", 8, 16),
            ("Windshield Washer Fluid, 1 gal", 3, 6),
            ("Automatic Transmission Fluid, 1 qt", 8, 14),
            ("Power Steering Fluid, 12 oz", 6, 11),
        ),
    ),
    Category(
        "oil filters",
        0.1,
        ("Cleanflow", "Guardian", "Filtrex"),
        ("Spin-On", "Cartridge"),
        (
            ("Oil Filter", 5, 12),
            ("Premium Oil Filter", 9, 18),
            ("Extended Life Oil Filter", 12, 22),
        ),
    ),
    Category(
        "air filters",
        0.06,
        ("Cleanflow", "Guardian", "Airwise"),
        ("Panel", "Round", "Conical"),
        (
            ("Engine Air Filter", 12, 30),
            ("Performance Air Filter", 40, 80),
        ),
    ),
    Category(
        "cabin filters",
        0.04,
        ("Cleanflow", "Airwise"),
        ("Particulate", "Carbon"),
        (("Cabin Air Filter", 12, 35),),
    ),
    Category(
        "fuel filters",
        0.02,
        ("Guardian", "Filtrex"),
        ("Inline", "Cartridge"),
        (("Fuel Filter", 10, 45),),
    ),
    Category(
        "brakes",
        0.12,
        ("Haltmaster", "Brakewell", "Ironclad"),
        ("Front", "Rear"),
        (
            ("Ceramic Brake Pads", 30, 75),
            ("Semi-Metallic Brake Pads", 25, 60),
            ("Brake Rotor", 35, 120),
            ("Brake Caliper", 45, 160),
            ("Brake Pad and Rotor Kit", 110, 260),
        ),
    ),
    Category(
        "batteries",
        0.05,
        ("Voltmax", "Kinetix"),
        ("Group 24F", "Group 35", "Group 48", "Group 51R", "Group 65"),
        (
            ("Automotive Battery", 120, 230),
            ("AGM Battery", 190, 330),
        ),
    ),
    Category(
        "wipers",
        0.07,
        ("Clearview", "Rainguard"),
        ("16 in", "18 in", "20 in", "22 in", "24 in", "26 in"),
        (
            ("Beam Wiper Blade", 18, 32),
            ("Conventional Wiper Blade", 8, 16),
            ("Hybrid Wiper Blade", 20, 35),
            ("Rear Wiper Blade", 10, 20),
        ),
    ),
    Category(
        "lighting",
        0.07,
        ("Brightway", "Lumina"),
        ("H4", "H7", "H11", "9005", "9006"),
        (
            ("Headlight Bulb", 12, 45),
            ("LED Headlight Bulb", 40, 110),
            ("Fog Light Bulb", 15, 40),
        ),
    ),
    Category(
        "spark plugs",
        0.06,
        ("Sparkline", "Ignitex"),
        ("Standard", "Long Reach"),
        (
            ("Iridium Spark Plug", 8, 16),
            ("Platinum Spark Plug", 5, 10),
            ("Copper Spark Plug", 2, 5),
            ("Ignition Coil", 40, 110),
        ),
    ),
    Category(
        "a/c",
        0.03,
        ("Coolcore", "Arctiq"),
        (None,),
        (
            ("R-134a Refrigerant with Gauge, 20 oz", 35, 60),
            ("R-1234yf Refrigerant, 8 oz", 45, 90),
            ("A/C Leak Sealer, 3 oz", 15, 30),
            ("A/C Compressor Oil, 8 oz", 10, 20),
        ),
    ),
    Category(
        "tools",
        0.06,
        ("Ironclad", "Torqwell"),
        (None,),
        (
            ("Socket Set, 40 pc", 25, 60),
            ("Torque Wrench", 40, 120),
            ("Floor Jack, 3 ton", 90, 250),
            ("Jack Stands, pair", 35, 80),
            ("Oil Filter Wrench", 7, 18),
            ("OBD-II Code Reader", 30, 150),
        ),
    ),
    Category(
        "accessories",
        0.05,
        ("Roadmate", "Cruiser"),
        ("Black", "Gray", "Beige"),
        (
            ("All-Weather Floor Mats", 25, 90),
            ("Seat Cover Set", 30, 110),
            ("Steering Wheel Cover", 12, 30),
            ("Phone Mount", 10, 30),
            ("Cargo Organizer", 18, 45),
        ),
    ),
)
"""The departments; their shares add up to 1."""

DESCRIPTIONS = {
    "sku": "Stock keeping unit: AP- and six digits; a product keeps its SKU and attributes when "
    "the catalog grows.",
    "product_name": "Name on the shelf label: brand, variant (grade, size, fit) and item.",
    "category": f"Department: {listed([category.name for category in CATEGORIES])}.",
    "brand": f"Maker; {OWN_BRAND} is the retailer's own brand, sold a little cheaper.",
    "tier": f"Price tier within the item's price range: {listed(TIERS)} (its lowest, middle "
    "or highest third).",
    "price": "Shelf price in US dollars, ending in .99.",
}


class _Flat(NamedTuple):
    """The categories as flat arrays, each list of a category at an offset of its own."""

    item_category: np.ndarray
    item_name: pa.Array
    item_low: np.ndarray
    item_high: np.ndarray
    item_p: np.ndarray
    category_name: pa.Array
    brand: pa.Array
    brand_start: np.ndarray
    brand_count: np.ndarray
    variant: pa.Array
    variant_start: np.ndarray
    variant_count: np.ndarray


def catalog(seed: int, count: int) -> pa.Table:
    """``count`` products, in SKU order."""
    sku_numbers = skus(seed, count)
    flat = _flat()
    item = _draw(seed, "item").choice(len(flat.item_p), count, p=flat.item_p)
    category = flat.item_category[item]
    own = _draw(seed, "own_brand").random(count) < OWN_BRAND_SHARE
    brand = pa.array(
        np.where(own, 0, _pick(seed, "brand", flat.brand_start, flat.brand_count, category))
    )
    variant = flat.variant.take(
        pa.array(_pick(seed, "variant", flat.variant_start, flat.variant_count, category))
    )
    spread = _draw(seed, "price").random(count)
    item_names = flat.item_name.take(pa.array(item))
    brand_names = flat.brand.take(brand)
    table = pa.table(
        {
            "sku": sku_text(sku_numbers),
            "product_name": pc.binary_join_element_wise(
                brand_names, variant, item_names, " ", null_handling="skip"
            ),
            "category": flat.category_name.take(pa.array(category)),
            "brand": brand_names,
            "tier": pa.array(TIERS).take(pa.array((spread * len(TIERS)).astype(np.int64))),
            "price": money(prices(spread, flat.item_low[item], flat.item_high[item], own)),
        },
        schema=SCHEMA,
    )
    return table.take(pa.array(np.argsort(sku_numbers)))


def _draw(seed: int, purpose: str) -> np.random.Generator:
    """The stream of one product attribute."""
    return stream(seed, NAME, purpose)


def skus(seed: int, count: int) -> np.ndarray:
    """The SKU numbers of ``count`` products: a prefix of one shuffle of all of them."""
    return _draw(seed, "sku").permutation(10**SKU_DIGITS)[:count]  # settings cap count


def sku_text(numbers: np.ndarray) -> pa.Array:
    """SKU numbers as "AP-" and six digits."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), SKU_DIGITS, "0")
    return pc.binary_join_element_wise(SKU_PREFIX, digits, "")


def _pick(
    seed: int, purpose: str, start: np.ndarray, count: np.ndarray, category: np.ndarray
) -> np.ndarray:
    """A uniform index into each product's category list (``start``, ``count`` per category)."""
    uniform = _draw(seed, purpose).random(len(category))
    return start[category] + (uniform * count[category]).astype(np.int64)


def prices(spread: np.ndarray, low: np.ndarray, high: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Prices in cents ending in 99, at ``spread`` (0-1) on a log scale of each item's range."""
    dollars = low * (high / low) ** spread * np.where(own, OWN_BRAND_DISCOUNT, 1.0)
    return np.maximum(np.ceil(dollars), 1).astype(np.int64) * 100 - 1


@functools.cache
def _flat() -> _Flat:
    """``CATEGORIES`` flattened once. Brand lists start with the own brand at index 0, which
    ``_pick`` never returns (it picks among a category's competing brands)."""
    items = [(c, *item) for c, category in enumerate(CATEGORIES) for item in category.items]
    item_p = np.array([CATEGORIES[c].share / len(CATEGORIES[c].items) for c, *_ in items])
    brands = [OWN_BRAND, *(brand for category in CATEGORIES for brand in category.brands)]
    variants = [variant for category in CATEGORIES for variant in category.variants]
    return _Flat(
        item_category=np.array([c for c, *_ in items]),
        item_name=pa.array([name for _, name, _, _ in items]),
        item_low=np.array([low for _, _, low, _ in items], np.float64),
        item_high=np.array([high for _, _, _, high in items], np.float64),
        item_p=item_p / item_p.sum(),
        category_name=pa.array([category.name for category in CATEGORIES]),
        brand=pa.array(brands),
        brand_start=_starts([len(category.brands) for category in CATEGORIES]) + 1,
        brand_count=np.array([len(category.brands) for category in CATEGORIES]),
        variant=pa.array(variants, pa.string()),
        variant_start=_starts([len(category.variants) for category in CATEGORIES]),
        variant_count=np.array([len(category.variants) for category in CATEGORIES]),
    )


def _starts(lengths: list[int]) -> np.ndarray:
    """Where each of consecutive lists of ``lengths`` starts in their concatenation."""
    return np.cumsum([0, *lengths[:-1]])
