"""The retail curve files: packaged defaults, replacements from ``retail.data_dir``, and a clear
error for every bad file."""

import shutil

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from test_retail_shopping import DATASETS, day_of

from gensample.errors import BadInputError
from gensample.reference import retail, retail_files
from gensample.settings import Settings, load


def test_packaged_curves_hold_every_default():
    curves = retail.load()
    assert curves.climates == ("cold", "temperate", "hot")
    assert curves.archetypes == ("occasional", "hobbyist", "professional")
    assert curves.tiers == ("budget", "mid", "premium")
    batteries = curves.categories.index("batteries")
    assert curves.seasonality[batteries, 11] > curves.seasonality[batteries, 6]
    assert (curves.traffic["store"].hour[:7] == 0).all()
    climate = curves.climate_of(pa.array(["MN", "TX", "CA", None, "ZZ"]))
    assert [curves.climates[c] for c in climate] == ["cold", "hot", *["temperate"] * 3]


def test_a_replaced_file_changes_what_sells_when(tmp_path):
    (tmp_path / "seasonality.csv").write_text(
        "category," + ",".join(retail.MONTHS) + "\nbatteries," + ",".join(["0.1"] * 6 + ["5"] * 6)
    )
    (tmp_path / "gensample.toml").write_text(f'[retail]\ndata_dir = "{tmp_path}"\n')
    settings = load(tmp_path, environ={}, flags={"customers": 3000, "datasets": list(DATASETS)})
    assert settings.retail.data_dir == str(tmp_path)
    day = day_of(settings)
    sold, products = day["pos_transactions"], day["products"]
    category = products["category"].take(pc.index_in(sold["sku"], value_set=products["sku"]))
    month = pc.month(sold["purchased_at"]).filter(pc.equal(category, "batteries")).to_pylist()
    assert sum(m > 6 for m in month) > 10 * sum(m <= 6 for m in month)


def test_a_folder_without_curve_files_keeps_the_defaults(tmp_path):
    assert retail.load(str(tmp_path)).categories == retail.load().categories


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(BadInputError, match=r"retail.data_dir = .* expected an existing folder"):
        load(tmp_path, environ={"GENSAMPLE_RETAIL__DATA_DIR": str(tmp_path / "nowhere")})


BRANDS = "brand,manufacturer,own_brand,tier,price_factor,cost_share,categories\n"
ITEMS = "category,item,mode,own_tier,variants,packs,unit,low,high,share,fit\n"
BUNDLES = "bundle,kits,share,discount,components\n"
QUANTITIES = "category,units,weight\n"
PROMOTIONS = "kind,per_month,days,percent_off,buy,free,lift,after_days,after_lift\n"
BAD_FILES = [
    (
        "categories.csv",
        "category,weight,tail,price_elasticity,cold\noil,-1,1,1,1\n",
        "line 2: weight = '-1'",
    ),
    (
        "categories.csv",
        "category,weight,tail,price_elasticity,cold\noil,1,1,1,1\noil,2,1,1,1\n",
        "line 3: category",
    ),
    ("categories.csv", "category,weight\noil,1\n", "expected a header with category, weight"),
    (
        "categories.csv",
        "category,weight,tail,price_elasticity,cold\noil,1,1,1,1\ntools,0,1,1,1\n",
        "line 3: weight = '0' is not allowed: expected a number above 0",
    ),
    (
        "categories.csv",
        "category,weight,tail,price_elasticity,cold\noil,1,1,11,1\n",
        "price_elasticity = '11' is not allowed: expected a number from 0 to 10",
    ),
    (
        "categories.csv",
        "category,weight,tail,price_elasticity,cold,hot\noil,1,1,1,0,1\ntools,1,1,1,0,2\n",
        "a column cold of weights, not all 0",
    ),
    (
        "seasonality.csv",
        "category," + ",".join(retail.MONTHS) + "\nhovercraft" + ",1" * 12,
        "one of",
    ),
    ("climates.csv", "state,climate\nMN,cold\n", "a row for state *"),
    ("climates.csv", "state,climate\n*,arctic\n", "line 2: climate = 'arctic'"),
    ("traffic.csv", "channel,period,value,weight\nstore,hour,7,1\n", "a row for every month"),
    ("traffic.csv", "channel,period,value,weight\nshop,hour,7,1\n", "channel = 'shop'"),
    (
        "events.csv",
        "event,month,day,weekday,nth,offset,days,store,web\nx,2,,sun,0,0,1,1,1\n",
        "nth",
    ),
    (
        "events.csv",
        "event,month,day,weekday,nth,offset,days,store,web\nx,13,1,,,0,1,1,1\n",
        "month",
    ),
    ("archetypes.csv", "archetype,share,baskets,lines,web\npro,1,1,1,1\n", "a column budget"),
    (
        "affinity.csv",
        "category,companion,probability\nwipers,fluids,0.7\nwipers,tools,0.4\n",
        "at most 1",
    ),
    ("tiers.csv", "tier\nmid\nmid\n", "line 3: tier = 'mid'"),
    ("brands.csv", BRANDS + "X,Y,maybe,mid,1,0.5,tools\n", "own_brand = 'maybe'"),
    ("brands.csv", BRANDS + "X,Y,no,mid,1,1.5,tools\n", "cost_share = '1.5'"),
    ("items.csv", ITEMS + "tools,Jack,resale,,,,each,9,3,1,no\n", "0 < low <= high"),
    ("items.csv", ITEMS + "tools,Oil,process,,,,each,1,3,1,no\n", "own_tier"),
    ("items.csv", ITEMS + "tools,Oil,resale,,,5 qt,each,1,3,1,no\n", "label=size"),
    ("vehicles.csv", "make,model,first_year,last_year\nFord,T,1927,1908\n", "last_year"),
    ("bundles.csv", BUNDLES + "Kit,1,0.1,0.1,hovercraft|x|1\n", "components"),
    ("bundles.csv", BUNDLES + "Kit,1,0.1,1.5,tools|x|1\n", "discount = '1.5'"),
    ("promotions.csv", PROMOTIONS + "flash_sale,1,1,1,0,0,1,0,1\n", "kind = 'flash_sale'"),
    (
        "supply.csv",
        "category,units_per_day,cycle_days,cover,spread\n*,3,0,1.2,0.4\n",
        "line 2: cycle_days = '0'",
    ),
    (
        "supply.csv",
        "category,units_per_day,cycle_days,cover,spread\n*,1e300,7,1.2,0.4\n",
        "units_per_day = '1e300' is not allowed: expected a number from 0 to 1000000",
    ),
    ("brands.csv", BRANDS + "X,Y,no,mid,2e9,0.5,tools\n", "price_factor = '2e9'"),
    (
        "supply.csv",
        "category,units_per_day,cycle_days,cover,spread\ntools,3,7,1,0.4\n",
        "one for *",
    ),
    (
        "distributors.csv",
        "distributor,city,state,regions,lead_days,transit_days\nX,Y,PA,*,2,3\n",
        "transit_days = '3'",
    ),
    ("quantities.csv", QUANTITIES + "hovercraft,1,1\n", "line 2: category = 'hovercraft'"),
    ("quantities.csv", QUANTITIES + "*,1,1\n*,1,2\n", "line 3: units = '1'"),
    ("quantities.csv", QUANTITIES + "*,0,1\n", "units = '0' is not allowed: expected a whole"),
    ("quantities.csv", QUANTITIES + "*,1,0\n*,2,0\n", "weights of a category not all 0"),
    ("quantities.csv", QUANTITIES + "*,1,inf\n", "weight = 'inf'"),
    ("quantities.csv", QUANTITIES + "coolant,1,1\n", "rows for * (every category without rows)"),
    (
        "production.csv",
        "mode,batch_kind,every_days,ready_days,batch_size,unit\nprocess,blend,7,2,100,gal\n",
        "one row for each of process, discrete",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_FILES)
def test_a_bad_file_is_refused_naming_it(tmp_path, name, text, message):
    folder = tmp_path / "curves"
    folder.mkdir()
    (folder / name).write_text(text)
    with pytest.raises(BadInputError) as error:
        load(tmp_path, environ={"GENSAMPLE_RETAIL__DATA_DIR": str(folder)})
    assert f"retail.data_dir: {folder / name}" in str(error.value)
    assert message in str(error.value)


def test_every_packaged_file_can_be_copied_and_edited(tmp_path):
    for name in retail.FILES:
        shutil.copy(retail_files.PACKAGED / name, tmp_path / name)
    assert Settings().retail.data_dir == ""
    copied = retail.load(str(tmp_path))
    assert copied is not retail.load() and copied.categories == retail.load().categories
