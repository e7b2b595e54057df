"""Users' own products and stores: read from CSV or Parquet, checked, and sold in the ratios of
their weights."""

import re
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest import with_parents
from test_retail_shopping import DATASETS, day_of

from gensample.errors import BadInputError
from gensample.reference import retail_files
from gensample.settings import load

PRODUCTS = """sku,category,price,weight,product_name
W-1,widgets,10.00,1,Small widget
W-2,widgets,12.50,2,
W-3,widgets,99.99,7,Big widget
"""
STORES = "store_id,state,city,weight\n11,TX,Austin,1\n42,MN,Duluth,3\n"
_HEADER, *_KINDS = (retail_files.PACKAGED / "promotions.csv").read_text().splitlines()
_NEVER = [re.sub(",[^,]*", ",0", kind, count=1) for kind in _KINDS]  # per_month 0
QUIET_PROMOTIONS = "\n".join([_HEADER, *_NEVER, ""])
"""The packaged promotions, none of them run in any month."""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A run directory with a products CSV, a stores Parquet file and curves without
    promotions (so sales follow the weights alone)."""
    folder = tmp_path_factory.mktemp("user")
    (folder / "products.csv").write_text(PRODUCTS)
    stores = pa.csv.read_csv(pa.py_buffer(STORES.encode()))
    pq.write_table(stores, folder / "stores.parquet")
    curves = folder / "curves"
    curves.mkdir()
    (curves / "promotions.csv").write_text(QUIET_PROMOTIONS)
    (folder / "gensample.toml").write_text(
        f'[retail]\nproducts_file = "{folder / "products.csv"}"\n'
        f'stores_file = "{folder / "stores.parquet"}"\ndata_dir = "{curves}"\n'
    )
    return folder


@pytest.fixture(scope="module")
def day(run_dir):
    """A day of 20,000 customers shopping the user's catalog in the user's stores, and its
    supply chain."""
    datasets = with_parents({*DATASETS, "inventory", "shipments"})
    flags = {"customers": 20_000, "datasets": list(datasets)}
    return day_of(load(run_dir, environ={}, flags=flags))


def test_the_user_tables_are_the_reference_data(day):
    products, stores = day["products"].to_pylist(), day["stores"].to_pylist()
    assert [p["sku"] for p in products] == ["W-1", "W-2", "W-3"]
    assert [p["product_name"] for p in products] == ["Small widget", "W-2", "Big widget"]
    assert str(products[1]["price"]) == "12.50" and products[0]["brand"] is None
    assert [(s["store_id"], s["region"], s["format"]) for s in stores] == [
        (11, "South", "standard"),
        (42, "Midwest", "standard"),
    ]
    assert stores[0]["store_name"] == "Store 11"


def test_files_edited_between_two_days_of_one_process_are_read_again(tmp_path):
    (tmp_path / "stores.csv").write_text(STORES)
    curves = tmp_path / "curves"
    curves.mkdir()
    (tmp_path / "gensample.toml").write_text(
        f'[retail]\nstores_file = "{tmp_path / "stores.csv"}"\ndata_dir = "{curves}"\n'
    )
    flags = {"customers": 1000, "datasets": list(with_parents({"stores", "pos_transactions"}))}
    first = day_of(load(tmp_path, environ={}, flags=flags))
    (tmp_path / "stores.csv").write_text(STORES.replace("42,MN,Duluth", "7,OH,Akron"))
    (curves / "promotions.csv").write_text(QUIET_PROMOTIONS)  # none a month
    second = day_of(load(tmp_path, environ={}, flags=flags))  # as a program using the API
    assert first["stores"]["store_id"].to_pylist() == [11, 42]
    assert second["stores"]["store_id"].to_pylist() == [11, 7]
    assert set(second["pos_transactions"]["store_id"].to_pylist()) <= {11, 7}
    assert first["promotions"].num_rows and not second["promotions"].num_rows


def test_sales_follow_the_weights_and_every_key_resolves(day):
    sold = day["pos_transactions"]
    per_sku = Counter(sold["sku"].to_pylist())
    total = sum(per_sku.values())
    for sku, weight in (("W-1", 0.1), ("W-2", 0.2), ("W-3", 0.7)):
        assert abs(per_sku[sku] / total - weight) < 0.2 * weight, sku
    anonymous = sold.filter(
        pc.and_(pc.is_null(sold["pos_customer_id"]), pc.equal(sold["line_number"], 1))
    )
    per_store = Counter(anonymous["store_id"].to_pylist())
    assert 2 < per_store[42] / per_store[11] < 4.5  # weights 3 to 1
    homes = set(day["pos_customers"]["home_store_id"].to_pylist())
    assert homes <= {11, 42} and set(per_store) == {11, 42}


def test_a_users_catalog_has_stock_and_deliveries_but_no_lots(day):
    stock = day["inventory"]
    assert stock.num_rows == 2 * 3  # both stores, every product
    balance = pc.subtract(pc.add(stock["opening"], stock["deliveries"]), stock["sales"])
    assert balance.equals(stock["closing"])
    assert day["shipments"]["lot_number"].null_count == day["shipments"].num_rows
    assert day["production_batches"].num_rows == 0


BAD = [
    ("products.csv", "sku,price\nA,1\n", "expected sku, category, price"),
    ("products.csv", "sku,category,price\nA,x,1\nA,y,2\n", "column sku: 'A' is repeated"),
    ("products.csv", "sku,category,price\nA,x,cheap\n", "column price, row 1: 'cheap'"),
    ("products.csv", "sku,category,price,weight\nA,x,1,-2\n", "column weight, row 1"),
    ("products.csv", "sku,category,price\n,x,1\n", "column sku, row 1: empty"),
    ("stores.csv", "store_id,state\nfirst,TX\n", "column store_id, row 1: 'first'"),
    ("stores.csv", "store_id,state,weight\n1,TX,0\n", "all 0"),
    ("products.csv", "sku,category,price\nA,x,1\nB,x,nan\n", "column price, row 2: nan is not"),
    ("products.csv", "sku,category,price\nA,x,inf\n", "row 1: inf is not allowed: expected a"),
    ("products.csv", "sku,category,price\nA,x,1e300\n", "< 10000000"),
    ("products.csv", "sku,category,price\nA,x,0\n", "column price, row 1: 0.0"),
    ("products.csv", "sku,category,price,cost\nA,x,1,-1\n", "column cost, row 1: -1.0"),
    ("products.csv", "sku,category,price,pack_size\nA,x,1,-5\n", "column pack_size, row 1"),
    (
        "products.csv",
        "sku,category,price,introduced_on,discontinued_on\nA,x,1,2020-03-01,2020-02-01\n",
        "column discontinued_on, row 1: 2020-02-01 is not allowed: expected a date on or after",
    ),
    ("products.csv", "sku,category,price,weight\nA,x,1,0\nB,y,1,1\n", "all 0 for category 'x'"),
    ("stores.csv", "store_id,state,weight\n1,TX,nan\n", "column weight, row 1: nan is not"),
    ("stores.csv", "store_id,state\n1,TX\n2,ZZ\n", "column state, row 2: 'ZZ' is not allowed"),
    ("stores.csv", "store_id,state\n1,ca\n", "'ca' is not allowed: expected one of AK, AL"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD)
def test_a_bad_user_table_is_refused_naming_file_column_and_row(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    key = "products_file" if name.startswith("products") else "stores_file"
    with pytest.raises(BadInputError) as error:
        load(tmp_path, environ={f"GENSAMPLE_RETAIL__{key.upper()}": str(path)})
    assert f"retail.{key}: {path}" in str(error.value) and message in str(error.value)


def test_a_missing_user_table_is_refused(tmp_path):
    with pytest.raises(BadInputError, match=r"retail.stores_file = .* expected a stores file"):
        load(tmp_path, environ={"GENSAMPLE_RETAIL__STORES_FILE": str(tmp_path / "none.csv")})
