"""Shopping behaves like a retailer's: seasons, weekdays, hours, climate, affinity, archetypes.

One seeded day of 30,000 customers; margins are wide (the expected ratios are about twice the
asserted ones), so the checks hold for any seed.
"""

import datetime as dt
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import DAY

from gensample.generate.datasets import quantities, shoppers
from gensample.generate.pipeline import generate_block, reference_tables
from gensample.generate.plan import make_plan
from gensample.reference import retail
from gensample.settings import Settings

DATASETS = (
    "stores",
    "brands",
    "products",
    "bundles",
    "promotions",
    "customers",
    "pos_customers",
    "transactions",
    "pos_transactions",
    "transaction_lines",
)
COLD = {"MN", "ND", "WI", "MI", "ME", "VT", "NH", "MT", "WY", "SD", "AK", "IA", "NE"}
HOT = {"FL", "TX", "AZ", "LA", "MS", "AL", "GA", "SC", "NV", "NM", "HI"}


def day_of(settings: Settings, date: dt.date = DAY) -> dict[str, pa.Table]:
    """Every dataset of one day, blocks concatenated; truth tables under '<name>.truth'."""
    plan = make_plan(settings, date, 0)
    blocks = [generate_block(settings, date, block).datasets for block in plan.blocks]
    tables = {name: pa.concat_tables(b[name].data for b in blocks) for name in blocks[0]}
    tables |= {name: table.data for name, table in reference_tables(settings, date).items()}
    for name in ("customers", "pos_customers"):
        tables[f"{name}.truth"] = pa.concat_tables(b[name].truth for b in blocks)
    return tables


@pytest.fixture(scope="module")
def day():
    """A five-year history of 30,000 customers' orders and till baskets."""
    return day_of(Settings(customers=30_000, datasets=DATASETS, stores=300))


@pytest.fixture(scope="module")
def lines(day):
    """Basket lines with their product's category and their store's state."""
    sold, stores = day["pos_transactions"], day["stores"]
    state = stores["state"].take(pc.index_in(sold["store_id"], value_set=stores["store_id"]))
    return described(sold, day["products"], state)


@pytest.fixture(scope="module")
def web_lines(day):
    """Web order lines as basket lines (the order as basket_id, placed at purchased_at) with
    their product's category and the state of the account (the shipping address)."""
    sold, orders, accounts = day["transaction_lines"], day["transactions"], day["customers"]
    order = pc.index_in(sold["transaction_id"], value_set=orders["transaction_id"])
    customer = orders["customer_id"].take(order)
    state = accounts["state"].take(pc.index_in(customer, value_set=accounts["customer_id"]))
    sold = sold.rename_columns(["basket_id", *sold.column_names[1:]])
    sold = sold.append_column("purchased_at", orders["ordered_at"].take(order))
    return described(sold, day["products"], state)


@pytest.fixture(scope="module", params=("store", "web"))
def any_lines(request, lines, web_lines):
    """Till basket lines, then web order lines: what both channels must show."""
    return lines if request.param == "store" else web_lines


def described(sold: pa.Table, products: pa.Table, state: pa.ChunkedArray) -> pa.Table:
    """``sold`` lines with their product's category and the ``state`` of each."""
    category = products["category"].take(pc.index_in(sold["sku"], value_set=products["sku"]))
    return sold.append_column("category", category).append_column("state", state)


def baskets(lines: pa.Table) -> pa.Table:
    """The first line of every basket."""
    return lines.filter(pc.equal(lines["line_number"], 1))


def counted(values: pa.Array) -> Counter:
    """How often each value occurs."""
    return Counter(values.to_pylist())


def in_category(lines: pa.Table, *names: str) -> pa.Table:
    """The lines of the categories ``names``."""
    return lines.filter(pc.is_in(lines["category"], value_set=pa.array(names)))


def month_shares(lines: pa.Table, *names: str) -> dict[int, float]:
    """Each month's share of lines in the categories ``names`` (so the growth of the till
    customers' history, which piles baskets on recent months, cancels out)."""
    everything = counted(pc.month(lines["purchased_at"]))
    chosen = counted(pc.month(in_category(lines, *names)["purchased_at"]))
    return {month: chosen[month] / everything[month] for month in everything}


def test_winter_categories_peak_in_december_and_a_c_in_july(any_lines):
    winter = month_shares(any_lines, "batteries", "coolant")
    assert winter[12] > 1.3 * winter[7]
    summer = month_shares(any_lines, "a/c")
    assert summer[7] > 3 * summer[12]
    rainy = month_shares(any_lines, "wipers")
    assert rainy[4] > 1.4 * rainy[7]


def test_weekends_and_lunchtime_are_busiest_in_stores(lines):
    opened = baskets(lines)["purchased_at"]
    weekday = counted(pc.day_of_week(opened))  # Monday is 0
    assert weekday[5] > 1.4 * weekday[2] and weekday[6] > 1.2 * weekday[1]
    hour = counted(pc.hour(opened))
    assert hour[12] > 1.5 * hour[8] and hour[12] > 1.5 * hour[20]
    assert set(hour) <= set(range(7, 21))


def test_web_orders_come_in_the_evening(day):
    hour = counted(pc.hour(day["transactions"]["ordered_at"]))
    assert hour[20] > 3 * hour[4] and hour[20] > 1.3 * hour[10]


def days_of(moments: pa.ChunkedArray) -> Counter:
    """How many moments fall on each date."""
    return counted(pc.cast(moments, pa.date32()))


def week_before(per_day: Counter, days: list[dt.date]) -> int:
    """The count of the same weekdays a week earlier."""
    return sum(per_day[day - dt.timedelta(7)] for day in days)


def test_christmas_day_is_quiet_and_cyber_monday_busy(day, lines):
    per_day = days_of(baskets(lines)["purchased_at"])
    christmas = [dt.date(year, 12, 25) for year in range(2021, 2026)]
    assert sum(per_day[day] for day in christmas) < 0.3 * week_before(per_day, christmas)
    per_day = days_of(day["transactions"]["ordered_at"])
    cyber = [dt.date(2021, 11, 29), dt.date(2022, 11, 28), dt.date(2023, 11, 27)]
    cyber += [dt.date(2024, 12, 2), dt.date(2025, 12, 1)]
    assert sum(per_day[day] for day in cyber) > 1.5 * week_before(per_day, cyber)


def test_cold_states_buy_more_batteries_per_basket(any_lines):
    first = baskets(any_lines)
    ratio = {}
    for name, states in (("cold", COLD), ("hot", HOT)):
        here = pa.array(sorted(states))
        batteries = in_category(any_lines, "batteries").filter(
            pc.is_in(in_category(any_lines, "batteries")["state"], value_set=here)
        )
        ratio[name] = batteries.num_rows / pc.sum(pc.is_in(first["state"], value_set=here)).as_py()
    assert ratio["cold"] > 1.3 * ratio["hot"]


def test_oil_and_filters_are_bought_together(any_lines):
    basket_of = {
        name: set(in_category(any_lines, name)["basket_id"].to_pylist())
        for name in (
            "motor oil",
            "oil filters",
        )
    }
    total = baskets(any_lines).num_rows
    both = len(basket_of["motor oil"] & basket_of["oil filters"]) / total
    apart = len(basket_of["motor oil"]) / total * len(basket_of["oil filters"]) / total
    assert both / apart > 1.2  # 1.46 expected: both are in many baskets anyway


def test_archetypes_stay_with_the_person_and_shape_baskets(day, lines):
    settings = Settings()
    ids = np.array([5, 49_999, 50_000, 123_456, 7])
    together = shoppers.archetypes(settings, ids)
    alone = [shoppers.archetypes(settings, ids[i : i + 1])[0] for i in range(len(ids))]
    assert together.tolist() == alone
    customers, truth = day["pos_customers"], day["pos_customers.truth"]
    archetype = dict(
        zip(
            customers["pos_customer_id"].to_pylist(),
            shoppers.archetypes(settings, truth["entity_id"].to_numpy()).tolist(),
            strict=True,
        )
    )
    sizes: dict[int, list[int]] = {}
    per_customer: dict[int, Counter] = {}
    for basket in baskets(lines).to_pylist():
        shopper = basket["pos_customer_id"]
        if shopper is not None:
            per_customer.setdefault(archetype[shopper], Counter())[shopper] += 1
    last_lines = lines.group_by(["basket_id", "pos_customer_id"]).aggregate(
        [("line_number", "max")]
    )
    for row in last_lines.to_pylist():
        if row["pos_customer_id"] is not None:
            sizes.setdefault(archetype[row["pos_customer_id"]], []).append(row["line_number_max"])
    occasional, _, professional = range(3)
    assert np.mean(sizes[professional]) > 1.2 * np.mean(sizes[occasional])
    frequency = {a: np.mean(list(c.values())) for a, c in per_customer.items()}
    assert frequency[professional] > 1.2 * frequency[occasional]


def test_web_orders_only_while_the_account_is_open():
    for trans_type in ("full", "daily"):
        day = day_of(Settings(customers=3000, datasets=DATASETS, trans_type=trans_type))
        accounts = {row["customer_id"]: row for row in day["customers"].to_pylist()}
        orders = day["transactions"].to_pylist()
        assert orders
        for order in orders:
            account = accounts[order["customer_id"]]
            assert order["ordered_at"] >= account["created_at"]
            if account["account_status"] == "closed":
                assert order["ordered_at"] <= account["updated_at"]


def test_no_product_sells_outside_its_lifecycle_and_new_ones_do_sell(day, any_lines):
    products = day["products"]
    at = pc.index_in(any_lines["sku"], value_set=products["sku"])
    sold_on = pc.cast(any_lines["purchased_at"], pa.date32())
    introduced = products["introduced_on"].take(at)
    discontinued = products["discontinued_on"].take(at)
    assert pc.all(pc.less_equal(introduced, sold_on)).as_py()
    assert pc.all(pc.fill_null(pc.less(sold_on, discontinued), True)).as_py()
    window_start = dt.date(2021, 11, 24)
    assert pc.sum(pc.greater(introduced, pa.scalar(window_start))).as_py() > 100
    assert pc.sum(pc.is_valid(discontinued)).as_py() > 100


def test_every_foreign_key_resolves(day):
    from gensample.generate.datasets import REGISTRY

    for name, table in day.items():
        module = REGISTRY.get(name)
        for column, (parent, key) in getattr(module, "FOREIGN_KEYS", {}).items():
            if parent in day:
                values = pc.drop_null(table[column])
                assert pc.all(pc.is_in(values, value_set=day[parent][key])).as_py(), column


def sales_per_sku_day(lines: pa.Table) -> Counter:
    """Lines sold per (sku, date)."""
    days = pc.cast(lines["purchased_at"], pa.date32()).to_pylist()
    return Counter(zip(lines["sku"].to_pylist(), days, strict=True))


def test_promoted_products_sell_more_inside_their_window(day, any_lines):
    sold = sales_per_sku_day(any_lines)
    inside = before = 0
    for promotion in day["promotions"].to_pylist():
        if promotion["sku"] is None or promotion["starts_on"] < dt.date(2022, 1, 1):
            continue
        length = (promotion["ends_on"] - promotion["starts_on"]).days + 1
        for offset in range(length):
            inside += sold[promotion["sku"], promotion["starts_on"] + dt.timedelta(offset)]
            before += sold[promotion["sku"], promotion["starts_on"] - dt.timedelta(offset + 1)]
    assert inside > 1.3 * before > 0  # about 1.9: overlapping promotions share a category


def test_kits_hold_their_items_and_their_items_go_together(day, any_lines):
    kits = day["bundles"]
    kit_lines = any_lines.filter(pc.is_valid(any_lines["bundle_id"]))
    assert kit_lines.num_rows > 100
    expected = {(r["bundle_id"], r["sku"]): r["item_discount"] for r in kits.to_pylist()}
    percent = {r["promotion_id"]: r["percent_off"] for r in day["promotions"].to_pylist()}
    on_deal = 0
    for line in kit_lines.to_pylist():
        own = expected[line["bundle_id"], line["sku"]]
        if line["promotion_id"] is None:
            assert line["discount"] == own
            continue
        price = line["quantity"] * line["unit_price"]  # a kit deal: its percent off on top
        deal = round(price * percent[line["promotion_id"]] / 100, 2)
        assert line["discount"] == min(own + deal, price)
        on_deal += 1
    assert 10 < on_deal < kit_lines.num_rows / 2
    products = day["products"]
    gaskets = products.filter(pc.match_substring(products["product_name"], "Drain Plug Gasket"))
    gasket = set(
        any_lines.filter(pc.is_in(any_lines["sku"], value_set=gaskets["sku"]))[
            "basket_id"
        ].to_pylist()
    )
    oil = set(in_category(any_lines, "motor oil")["basket_id"].to_pylist())
    total = baskets(any_lines).num_rows
    assert len(gasket & oil) / total > 1.2 * (len(gasket) / total) * (len(oil) / total)  # 1.45


def test_discounts_follow_the_promotion_terms(day, any_lines):
    promotions = {row["promotion_id"]: row for row in day["promotions"].to_pylist()}
    discounted = any_lines.filter(pc.is_valid(any_lines["promotion_id"])).to_pylist()
    assert len(discounted) > 20
    for line in discounted:
        promotion = promotions[line["promotion_id"]]
        assert promotion["starts_on"] <= line["purchased_at"].date() <= promotion["ends_on"]
        if promotion["kind"] == "bundle_price":  # a kit deal: see the kits' test
            assert line["bundle_id"] == promotion["bundle_id"]
            continue
        assert line["sku"] == promotion["sku"]
        if promotion["kind"] == "buy_x_get_y":
            group = promotion["buy_quantity"] + promotion["free_quantity"]
            free = line["quantity"] // group * promotion["free_quantity"]
            assert line["discount"] == free * line["unit_price"]
        else:
            share = line["discount"] / (line["quantity"] * line["unit_price"])
            assert abs(float(share) * 100 - promotion["percent_off"]) < 1


def test_a_line_buys_a_jobs_worth_of_its_category_in_its_packs(day, any_lines):
    products = day["products"]
    size = products["pack_size"].take(pc.index_in(any_lines["sku"], value_set=products["sku"]))
    plain = any_lines.append_column("pack_size", size)
    plain = plain.filter(pc.and_(pc.is_null(plain["promotion_id"]), pc.is_null(plain["bundle_id"])))

    def bought(category: str, smallest: float, largest: float) -> np.ndarray:
        lines = in_category(plain, category)
        sized = pc.and_(
            pc.greater_equal(lines["pack_size"], smallest),
            pc.less_equal(lines["pack_size"], largest),
        )
        return lines.filter(sized)["quantity"].to_numpy()

    batteries, plugs = bought("batteries", 0, 1e9), bought("spark plugs", 0, 1e9)
    assert len(batteries) > 200 and (batteries > 1).mean() < 0.05  # one battery a car
    assert len(plugs) > 200 and (plugs >= 4).mean() > 0.5  # a set for the engine
    quarts, jugs = bought("motor oil", 1, 1), bought("motor oil", 5, 1e9)
    assert len(quarts) > 200 and np.median(quarts) >= 4  # an oil change in quart bottles
    assert len(jugs) > 200 and (jugs == 1).mean() > 0.8  # or in one jug, pail or drum


def per_person_by_tenure(people: pa.Table, since: str, events: pa.ChunkedArray) -> list[float]:
    """Mean events (ids in ``events``) of the people (ids in their first column) who came
    (``since``) over four years before the day, and in its last year."""
    made = counted(events.drop_null())
    n = np.array([made[person] for person in people.column(0).to_pylist()])
    end = np.datetime64(dt.datetime.combine(DAY, dt.time()))
    days = (end - people[since].to_numpy()).astype("timedelta64[D]").astype(int)
    return [n[days > 4 * 365].mean(), n[days < 365].mean()]


def test_customers_of_long_standing_shop_more_often(day):
    baskets_ = baskets(day["pos_transactions"])["pos_customer_id"]
    old, new = per_person_by_tenure(day["pos_customers"], "registered_at", baskets_)
    assert old > 1.6 * new  # 2.2 times expected; as often whatever their tenure before
    old, new = per_person_by_tenure(
        day["customers"], "created_at", day["transactions"]["customer_id"]
    )
    assert old > 1.6 * new


def test_gross_margin_is_an_auto_parts_chains(day, any_lines):
    products = day["products"]
    cost = products["cost"].take(pc.index_in(any_lines["sku"], value_set=products["sku"]))
    spent = pc.sum(pc.multiply(cost.cast(pa.float64()), any_lines["quantity"])).as_py()
    taken = pc.sum(any_lines["line_total"].cast(pa.float64())).as_py()
    assert 0.44 < 1 - spent / taken < 0.58  # the big chains report about 50 %


def test_quantities_count_a_products_packs_within_its_category_and_unit(rng):
    sold = pa.table(
        {
            "category": ["motor oil", "motor oil", "motor oil", "spark plugs", "hovercraft"],
            "unit": ["qt", "qt", "gal", "each", None],
            "pack_size": [1.0, 5.0, 2.0, None, 3.0],
        }
    )
    codes = sold["category"].combine_chunks().dictionary_encode()
    category = codes.indices.to_numpy().astype(np.int64)
    drawn = quantities.of(retail.load(), sold, category, codes.dictionary)
    bought = {p: quantities.draw(rng, drawn, np.full(5000, p)) for p in range(5)}
    assert set(bought[0]) == {1, 2, 4, 5, 6, 7, 8}  # quarts: the units of motor oil
    assert set(bought[1]) == {1, 2}  # 5 qt jugs: 8 quarts are 2 jugs, 1 to 7 one
    assert set(bought[2]) == set(bought[0])  # the only gal pack is the smallest of its unit
    assert set(bought[3]) == {1, 4, 6, 8}  # no size: each unit a pack
    assert set(bought[4]) == {1, 2}  # an unknown category takes the * rows
    assert 0.05 < (bought[4] == 2).mean() < 0.2
    no_sizes = quantities.of(retail.load(), sold.drop(["pack_size"]), category, codes.dictionary)
    assert set(quantities.draw(rng, no_sizes, np.full(5000, 1))) == set(bought[0])


@pytest.mark.parametrize("columns", [3, 300])
def test_lookup_rows_draw_by_their_weights_from_a_small_table(rng, columns):
    weights = rng.random((4, columns)) ** 3
    weights[2] = 0  # no weight: every column alike
    table = shoppers.lookups(weights)
    assert table.itemsize <= 2  # small enough to stay in cache
    row = np.repeat(np.arange(4), 100_000)
    drawn = shoppers.draw_rows(rng, table, row)
    assert drawn.dtype == np.int64
    for r in range(4):
        counts = np.bincount(drawn[row == r], minlength=columns) / 100_000
        expected = weights[r] / weights[r].sum() if weights[r].sum() else 1 / columns
        np.testing.assert_allclose(counts, expected, atol=0.01)


def test_counts_handed_out_again_stay_the_same_and_follow_the_factor(rng):
    counts = rng.poisson(3, 20_000)
    factor = rng.choice([0.5, 1.0, 2.0], len(counts))
    handed = shoppers.matched(rng, counts, factor)
    assert Counter(handed.tolist()) == Counter(counts.tolist())  # the same multiset
    assert handed.dtype == counts.dtype
    means = [handed[factor == f].mean() for f in (0.5, 1.0, 2.0)]
    assert means[0] + 0.5 < means[1] < means[2] - 0.5  # bigger factors get bigger counts
    assert shoppers.matched(rng, counts[:0], factor[:0]).tolist() == []
