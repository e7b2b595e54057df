"""Extract gensample's packaged reference data from the field's libraries (run by hand, versioned).

Usage: python tools/extract_reference.py   (needs the ``reference`` extra: faker, zipcodes,
nicknames). It rewrites given_names.csv, family_names.csv, places.csv, street_names.csv and
nicknames.csv under gensample/reference/data/; email_domains.csv and street_suffixes.csv are
maintained by hand. A test checks the packaged files equal a fresh extraction.
"""

import sys
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


TABLES = {
    "given_names.csv": (("name", "gender", "frequency"), given_names),
    "family_names.csv": (("name", "frequency"), family_names),
    "places.csv": (("postal_code", "city", "state", "county", "area_code"), places),
    "street_names.csv": (("name", "weight"), street_names),
    "nicknames.csv": (("name", "nickname"), nicknames),
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


def main(target: Path = DATA) -> None:
    """Write every extracted table into ``target``."""
    for name, (header, extract) in TABLES.items():
        (target / name).write_text(render(header, extract()), encoding="utf-8")
        print(f"wrote {target / name}", file=sys.stderr)


if __name__ == "__main__":
    main()
