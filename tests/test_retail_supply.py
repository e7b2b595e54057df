"""The supply chain of issue 17: stock that balances from day to day, no sale from an empty
shelf, substitutes, orders, shipments and lots that trace back, and foreign keys that resolve."""

import datetime as dt
import itertools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest
from conftest import DAY, run_day, with_parents

from gensample.cli import main
from gensample.generate.datasets import REGISTRY, shelf, stock, substitutes
from gensample.generate.datasets.common import epoch_day
from gensample.reference import supply
from gensample.settings import Settings, load

SUPPLY = ("inventory", "shipments", "pos_transactions")
NEXT_DAY = DAY + dt.timedelta(days=1)


@pytest.fixture(scope="module")
def days(tmp_path_factory) -> dict[dt.date, dict[str, pa.Table]]:
    """Two consecutive daily runs of one run directory, every file read back."""
    run_dir = tmp_path_factory.mktemp("run")
    flags = {"customers": 4000, "stores": 12, "trans_type": "daily"}
    read = {}
    for date in (DAY, NEXT_DAY):
        run_day(run_dir, date, datasets=list(with_parents(set(SUPPLY))), **flags)
        folder = run_dir / "out" / str(date) / "data"
        options = pacsv.ConvertOptions(strings_can_be_null=True)
        read[date] = {
            p.stem: pacsv.read_csv(p, convert_options=options) for p in folder.glob("*.csv")
        }
    return read


def keyed(table: pa.Table, *columns: str) -> dict[tuple, dict]:
    """The rows of ``table`` by the values of ``columns``."""
    return {tuple(row[c] for c in columns): row for row in table.to_pylist()}


def test_inventory_balances_for_every_store_product_and_day(days):
    for tables in days.values():
        stock_rows = tables["inventory"]
        opening, closing = stock_rows["opening"].to_numpy(), stock_rows["closing"].to_numpy()
        came, sold = stock_rows["deliveries"].to_numpy(), stock_rows["sales"].to_numpy()
        assert stock_rows.num_rows == 12 * len(set(stock_rows["sku"].to_pylist()))
        assert (opening + came - sold == closing).all()
        assert (opening >= 0).all() and (closing >= 0).all() and (sold >= 0).all()
        empty = stock_rows["out_of_stock"].to_numpy(zero_copy_only=False)
        assert (empty == (opening + came == 0)).all() and not sold[empty].any()
    first, second = (keyed(days[d]["inventory"], "store_id", "sku") for d in (DAY, NEXT_DAY))
    both = first.keys() & second.keys()
    assert len(both) > 0.9 * len(first)
    assert all(first[pair]["closing"] == second[pair]["opening"] for pair in both)


def test_stock_runs_out_and_comes_back_day_after_day():
    found = stock.model(Settings(stores=5))
    day = epoch_day(DAY)
    shelves = [stock.of_day(Settings(stores=5), day + n) for n in range(60)]
    for today, tomorrow in itertools.pairwise(shelves):
        same = np.isin(today.product, tomorrow.product)
        kept = np.isin(tomorrow.product, today.product)
        assert (today.stock.closing[same] == tomorrow.stock.opening[kept]).all()
    empty = np.concatenate([s.stock.opening + s.stock.deliveries == 0 for s in shelves])
    assert 0 < empty.mean() < 0.1  # stockouts happen, and pass
    lost = sum(s.stock.lost_sales.sum() for s in shelves)
    assert 0 < lost < 0.3 * sum(s.stock.sales.sum() for s in shelves)
    assert found.store_factor.mean() == pytest.approx(1)


def test_no_till_basket_sells_a_product_its_store_has_none_of(days):
    for date, tables in days.items():
        shelf_of = keyed(tables["inventory"], "store_id", "sku")
        sold = tables["pos_transactions"]
        assert sold.num_rows > 1000
        assert pc.all(pc.equal(pc.cast(sold["purchased_at"], pa.date32()), date)).as_py()
        for store, sku in zip(sold["store_id"].to_pylist(), sold["sku"].to_pylist(), strict=True):
            assert not shelf_of[store, sku]["out_of_stock"]


def test_a_missing_product_is_replaced_in_its_category_and_a_near_tier(rng):
    found = stock.model(Settings(stores=20))
    day = epoch_day(DAY)
    shelves = stock.of_day(Settings(stores=20), day)
    empty = np.flatnonzero(shelves.stock.opening + shelves.stock.deliveries == 0)
    assert len(empty) > 20
    store, missing = shelves.store[empty], shelves.product[empty]
    days_of = np.full(len(empty), day)
    chosen = substitutes.substitutes(rng, found, store, missing, days_of)
    drawn = found.drawn
    assert (drawn.category[chosen] == drawn.category[missing]).all()
    tier_step = np.abs(drawn.group[chosen] % drawn.tiers - drawn.group[missing] % drawn.tiers)
    assert np.mean(tier_step <= 1) > 0.95
    assert stock.in_stock(found, store, chosen, days_of).all()
    assert shelf.on_sale(drawn, chosen, days_of).all()


def test_shipments_arrive_after_their_purchase_orders_by_the_lead_time(days):
    ready = {mode.batch_kind: mode.ready_days for mode in supply.load().production.values()}
    for date, tables in days.items():
        ordered = keyed(tables["purchase_orders"], "po_id")
        distributors = keyed(tables["distributors"], "distributor_id")
        batches = keyed(tables["production_batches"], "lot_number")
        shipped = tables["shipments"].to_pylist()
        assert len(shipped) == len(ordered) > 100
        for row in shipped:
            order, distributor = ordered[(row["po_id"],)], distributors[(row["distributor_id"],)]
            assert row["delivered_on"] == order["due_on"] == date
            assert order["ordered_on"] + dt.timedelta(days=order["lead_days"]) == date
            assert (row["store_id"], row["sku"], row["quantity"], row["origin"]) == (
                order["store_id"],
                order["sku"],
                order["quantity"],
                order["supplier"],
            )
            if row["origin"] == "distributor":  # to a store
                assert order["lead_days"] == distributor["lead_days"]
                assert row["shipped_on"] == date - dt.timedelta(days=distributor["transit_days"])
            else:  # from the manufacturer to a distributor, a lot ready that day
                batch = batches[(row["lot_number"],)]
                assert row["store_id"] is None and row["shipped_on"] == batch["produced_on"]
                assert order["lead_days"] == ready[batch["batch_kind"]]
        to_stores = [row for row in shipped if row["origin"] == "distributor"]
        came = tables["inventory"].filter(pc.greater(tables["inventory"]["deliveries"], 0))
        columns = (came[c].to_pylist() for c in ("store_id", "sku", "deliveries"))
        assert sorted(zip(*columns, strict=True)) == sorted(
            (row["store_id"], row["sku"], row["quantity"]) for row in to_stores
        )
        assert len(to_stores) < len(shipped)  # lots reached the distributors too


def test_lot_numbers_trace_from_shipments_to_production_batches(days):
    ready = {mode.batch_kind: mode.ready_days for mode in supply.load().production.values()}
    for tables in days.values():
        batches = keyed(tables["production_batches"], "lot_number")
        brands = keyed(tables["brands"], "brand")
        columns = (tables["products"][c].to_pylist() for c in ("sku", "brand"))
        brand_of = dict(zip(*columns, strict=True))
        for row in tables["shipments"].to_pylist():
            own = brands[(brand_of[row["sku"]],)]["own_brand"]
            assert (row["lot_number"] is not None) == own
            if own:
                batch = batches[(row["lot_number"],)]
                assert row["sku"] in batch["skus"].split(";")
                made = batch["produced_on"] + dt.timedelta(days=ready[batch["batch_kind"]])
                assert made <= row["delivered_on"]
                assert made <= row["shipped_on"] or row["origin"] == "manufacturer"
        blends = [b for b in batches.values() if b["batch_kind"] == "blend"]
        assert blends and max(len(b["skus"].split(";")) for b in blends) > 1
        runs = [b for b in batches.values() if b["batch_kind"] == "run"]
        assert runs and all(len(b["skus"].split(";")) == 1 for b in runs)


def test_every_foreign_key_resolves(days):
    for tables in days.values():
        for name, table in tables.items():
            for column, (parent, target) in REGISTRY[name].FOREIGN_KEYS.items():
                values = set(pc.drop_null(table[column]).to_pylist())
                assert values <= set(tables[parent][target].to_pylist()), (name, column)


def test_every_distributor_serves_a_region_of_the_stores():
    listed = supply.load().distributors
    regions = {"Northeast", "Midwest", "South", "West"}
    assert {r for d in listed for r in d.regions} == regions
    assert len({d.name for d in listed}) == len(listed)


def test_paths_in_gensample_toml_are_relative_to_the_run_directory(tmp_path, monkeypatch):
    run_dir = tmp_path / "run"
    (run_dir / "curves").mkdir(parents=True)
    (run_dir / "curves" / "supply.csv").write_text(
        "category,units_per_day,cycle_days,cover,spread\n*,3,9,1.2,0.4\n"
    )
    (run_dir / "gensample.toml").write_text('[retail]\ndata_dir = "curves"\n')
    monkeypatch.chdir(tmp_path)  # the run starts elsewhere
    settings = load(run_dir, environ={})
    assert settings.retail.data_dir == str(run_dir / "curves")
    assert set(supply.load(settings.retail.data_dir).restocking.cycle_days) == {9}


def test_a_day_is_made_under_any_settings_even_unhashable_ones(tmp_path):
    (tmp_path / "gensample.toml").write_text("[fuzz.fields.first_name]\nweight = 2\n")
    settings = load(tmp_path, environ={}, flags={"stores": 3})
    plain = stock.of_day(Settings(stores=3), epoch_day(DAY))
    assert (stock.of_day(settings, epoch_day(DAY)).stock.closing == plain.stock.closing).all()


def test_a_run_with_a_bad_supply_file_exits_2_naming_it(tmp_path, caplog):
    (tmp_path / "curves").mkdir()
    (tmp_path / "curves" / "distributors.csv").write_text(
        "distributor,city,state,regions,lead_days,transit_days\nX,Y,PA,*,0,0\n"
    )
    (tmp_path / "gensample.toml").write_text('[retail]\ndata_dir = "curves"\n')
    assert main(["run", "--dir", str(tmp_path), "--date", DAY.isoformat()]) == 2
    error = caplog.text
    assert "distributors.csv: line 2: lead_days = '0'" in error
    assert not (tmp_path / "out").exists()


def test_the_month_of_a_moment_is_the_calendars(rng):
    seconds = rng.integers(-(10**9), 2 * 10**9, 5_000)  # 1938 to 2033, leap days and all
    seconds[:2] = [951_782_400, 951_868_799]  # 2000-02-29, its first and last second
    expected = [(dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(s))).month - 1 for s in seconds]
    assert shelf.months(seconds).tolist() == expected
    assert shelf.months(seconds[:0]).tolist() == []
