"""``clickstream``: page hits on the retailer's web shop, one row per hit.

Every person of the block browses with one browser cookie (so a person's duplicate accounts log
in from the same cookie; members of a household often share the head's computer, and cookie);
each customer record has sessions (from the count stream) and anonymous visitors, who never log
in, add a share of all sessions. A logged-in session either is logged in from its first hit or
starts anonymous and logs in midway, on an ``/account/login`` hit. Nobody logs in to an account
before it was created or after it was closed (a person whose account was closed before the
event window browses anonymously).
"""

import functools
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pyarrow as pa

from gensample.generate import truth
from gensample.generate.datasets import formats, products, systems
from gensample.generate.datasets.common import (
    TIMESTAMP,
    count_stream,
    event_window,
    share_added,
    share_of,
    shuffled_ids,
    timestamps,
)
from gensample.generate.datasets.contract import BlockInput, Generated, Parents
from gensample.generate.datasets.draws import random_ids
from gensample.generate.datasets.sessions import login_positions, login_windows, place_sessions
from gensample.generate.datasets.texts import hex_text, random_bytes
from gensample.generate.seeding import stream
from gensample.native.strings import join_element_wise
from gensample.native.take import take
from gensample.reference import Pool
from gensample.settings import DATASET_PARENTS, Settings

NAME = "clickstream"
REFERENCE = False
IDENTITY = False
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("hit_id", pa.int64()),
        ("session_id", pa.int64()),
        ("cookie_id", pa.string()),
        ("customer_id", pa.int64()),
        ("hit_at", TIMESTAMP),
        ("session_started_at", TIMESTAMP),
        ("session_ended_at", TIMESTAMP),
        ("page_url", pa.string()),
        ("referrer", pa.string()),
        ("device_type", pa.string()),
    ]
)
PRIMARY_KEY = ("hit_id",)
FOREIGN_KEYS = {"customer_id": ("customers", "customer_id")}
SITE = "https://www.autopoint.example"
FAMILY_COMPUTER_SHARE = 0.3
"""Share of people who browse on their household head's computer, with its cookie (a head
browses on their own: for people living alone, nothing changes)."""
DESCRIPTIONS = {
    "hit_id": "Id of the page hit; unique across days.",
    "session_id": "Visit the hit belongs to: one browser's consecutive hits; unique across days.",
    "cookie_id": "The browser's cookie (32 hex digits): one per visitor, so a person's duplicate "
    "accounts may log in from the same cookie; members of a household often browse on one "
    "computer, with one cookie; anonymous visitors have cookies of their own.",
    "customer_id": "The customer account logged in at the hit; empty before the login of a "
    "session that logs in midway, and for visitors who never log in (or whose account was "
    "closed before).",
    "hit_at": "When the page was requested, between the session's start and end, never before "
    "the logged-in account was created nor after it was closed.",
    "session_started_at": "When the session began: its first hit.",
    "session_ended_at": "When the session ended: some time after its last hit.",
    "page_url": "Path of the page on the shop (/, /search?q=..., /c/<category>, /product/<sku> "
    "with a catalog SKU, /cart, /checkout...); /account/login where a session logs in.",
    "referrer": f"Where the visitor came from: the previous page ({SITE}/...) for all but a "
    "session's first hit, a search engine or social site for the first; empty when typed in.",
    "device_type": "desktop, mobile or tablet: the device of the visitor's browser.",
}

"""Share of all sessions from visitors who never log in."""
SESSIONS_PER_ANONYMOUS_VISITOR = 1.5
LOGGED_IN_AT_START = 0.6
"""Share of logged-in sessions logged in from their first hit (remembered); the others log in
at a random hit."""
HIT_GAP_SECONDS = 40
LAST_PAGE_SECONDS = 90
"""Mean time spent on a session's last page before it ends."""
DEVICES = Pool(pa.array(["desktop", "mobile", "tablet"]), np.array([0.45, 0.45, 0.10]))
EXTERNAL_REFERRERS = Pool(
    pa.array(
        [
            None,
            "https://www.google.com/",
            "https://www.bing.com/",
            "https://duckduckgo.com/",
            "https://www.facebook.com/",
            "https://www.youtube.com/",
            "https://www.reddit.com/",
        ],
        pa.string(),
    ),
    np.array([0.30, 0.45, 0.08, 0.04, 0.06, 0.04, 0.03]),
)
STATIC_PAGES = {  # path -> (weight as a landing page, weight later in a session)
    "/": (0.30, 0.05),
    "/cart": (0.02, 0.10),
    "/checkout": (0.0, 0.04),
    "/checkout/confirmation": (0.0, 0.02),
    "/account": (0.02, 0.03),
    "/account/orders": (0.01, 0.02),
    "/store-locator": (0.03, 0.02),
    "/deals": (0.05, 0.03),
}
CATEGORIES = ("motor-oil", "filters", "brakes", "batteries", "wipers", "lighting", "spark-plugs")
CATEGORY_WEIGHTS = (0.06, 0.08)
SEARCHES = (
    "brake+pads",
    "oil+filter",
    "5w-30",
    "wiper+blades",
    "car+battery",
    "headlight+bulb",
    "spark+plugs",
    "coolant",
    "air+filter",
    "brake+rotors",
)
SEARCH_WEIGHTS = (0.14, 0.14)
PRODUCT_WEIGHTS = (0.35, 0.45)
"""Weight of all product pages together, as landing pages and later (``STATIC_PAGES``)."""
POPULAR_PRODUCTS = 500
"""Products with pages of their own (the catalog's first, by SKU order of the shuffle)."""
LOGIN_PAGE = "/account/login"


class Pages(NamedTuple):
    """The shop's pages (the login page last) and what a hit's referrer may be: their full URLs,
    then the external referrers; with the odds of each page as a landing page and later."""

    paths: pa.Array
    referrers: pa.Array
    landing: Pool
    browsing: Pool

    @property
    def login(self) -> int:
        """Index of the login page."""
        return len(self.paths) - 1


def rows(
    settings: Settings, entity_start: int, entities: int, parent_rows: Mapping[str, int]
) -> int:
    """Hits of the block: the sessions of its customer records and anonymous visitors."""
    return int(session_sizes(settings, entity_start, parent_rows["customers"])[1].sum())


def session_sizes(
    settings: Settings, entity_start: int, records: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sessions of each customer record, and hits of each session: the records' sessions in
    record order, then the anonymous ones."""
    rng = count_stream(settings, NAME, entity_start)
    per_record = systems.counts(settings, NAME, "sessions_per_record").draw(rng, records)
    logged = int(per_record.sum())
    anonymous = share_added(logged, systems.habit(settings, NAME, "anonymous"))
    hits = systems.counts(settings, NAME, "hits_per_session")
    return per_record, hits.draw(rng, logged + anonymous)


def generate(block: BlockInput, parents: Parents) -> Generated:
    """Page hits of one block, in hit id order."""
    settings, plan = block.settings, block.block
    customers = parents["customers"]
    per_record, hits = session_sizes(settings, plan.entity_start, customers.data.num_rows)
    rng = stream(settings.seed, NAME, "sessions", plan.entity_start)
    visits = visit_sessions(rng, block, customers, per_record, len(hits))
    session = np.repeat(np.arange(len(hits)), hits)
    position = np.arange(len(session)) - (np.cumsum(hits) - hits)[session]
    login = login_positions(rng, hits, visits.logs_in, LOGGED_IN_AT_START)
    gaps = 1 + rng.exponential(HIT_GAP_SECONDS, len(session)).astype(np.int64)
    tails = rng.exponential(LAST_PAGE_SECONDS, len(hits)).astype(np.int64)
    hit_at, started, ended = place_sessions(
        rng, session, visits.earliest, visits.latest, gaps, tails
    )
    pages = shop_pages(settings.seed, settings.products)
    page, referrer = page_indices(rng, pages, hits, login)
    ids = random_ids(rng, *block.id_range(NAME))
    # fewer sessions than hits: their ids lie in the block's range of hit ids, unique as those
    session_id = shuffled_ids(rng, block.id_range(NAME)[0], len(hits))
    order = ids.order
    in_session = session[order]
    visitor = visits.visitor[in_session]
    data = pa.table(
        {
            "hit_id": ids.in_order,
            "session_id": session_id[in_session],
            "cookie_id": take(visits.cookies, visitor),
            "customer_id": pa.array(
                visits.customer_id[in_session], mask=position[order] < login[in_session]
            ),
            "hit_at": timestamps(hit_at[order]),
            "session_started_at": timestamps(started[in_session]),
            "session_ended_at": timestamps(ended[in_session]),
            "page_url": take(pages.paths, page[order]),
            "referrer": take(pages.referrers, referrer[order]),
            "device_type": take(DEVICES.values, visits.device[visitor]),
        }
    )
    return Generated(data.cast(SCHEMA), truth.RECORDS_SCHEMA.empty_table())


class Visits(NamedTuple):
    """Who makes each session, and the visitors: the block's people, then anonymous ones."""

    visitor: np.ndarray
    customer_id: np.ndarray
    """The account each session logs in to (0 for the anonymous sessions, which never do)."""
    earliest: np.ndarray
    latest: np.ndarray
    """First and last second of each session: in the window, while its account is open."""
    logs_in: np.ndarray
    """Whether each session logs in: those of customer records, unless the account was closed
    before the window."""
    cookies: pa.Array
    device: np.ndarray
    """Index into ``DEVICES`` of each visitor's device."""


def visit_sessions(
    rng: np.random.Generator,
    block: BlockInput,
    customers: Generated,
    per_record: np.ndarray,
    sessions: int,
) -> Visits:
    """The visitor, account and time bounds of each session: the customer records' sessions
    first (by the person behind the record), then the anonymous ones (anonymous visitors)."""
    record = np.repeat(np.arange(len(per_record)), per_record)
    anonymous = sessions - len(record)
    people = block.block.entities
    visitors = people + share_of(anonymous, 1 / SESSIONS_PER_ANONYMOUS_VISITOR)
    person = customers.truth["entity_id"].to_numpy()[record] - block.block.entity_start
    window = event_window(block.settings, block.date)
    earliest, latest, open_account = login_windows(customers.data, record, window)
    return Visits(
        visitor=np.concatenate(
            [browser_of(block, person), rng.integers(people, visitors, anonymous)]
        ),
        customer_id=np.concatenate(
            [customers.data["customer_id"].to_numpy()[record], np.zeros(anonymous, np.int64)]
        ),
        earliest=np.concatenate([earliest, np.full(anonymous, window[0])]),
        latest=np.concatenate([latest, np.full(anonymous, window[1])]),
        logs_in=np.concatenate([open_account, np.zeros(anonymous, bool)]),
        cookies=hex_text(random_bytes(rng, visitors, 16)),
        device=DEVICES.draw(rng, visitors),
    )


def browser_of(block: BlockInput, person: np.ndarray) -> np.ndarray:
    """Whose browser each of ``person`` (positions among the block's people) browses with:
    their own, or for a ``FAMILY_COMPUTER_SHARE`` of household members (a habit), the
    household head's, when the head is among the block's people."""
    people = block.people
    head = people["household_id"].to_numpy() - block.block.entity_start
    shared = formats.person_habit(
        block, NAME, "family computer", (1 - FAMILY_COMPUTER_SHARE, FAMILY_COMPUTER_SHARE), person
    )
    theirs = head[person]
    return np.where((shared == 1) & (theirs >= 0), theirs, person)


def page_indices(
    rng: np.random.Generator, pages: Pages, hits: np.ndarray, login: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each hit's page and referrer, as indices into ``pages.paths`` and ``pages.referrers``:
    the previous hit's page, or an external referrer for a session's first hit."""
    first = np.cumsum(hits) - hits
    page = pages.browsing.draw(rng, int(hits.sum()))
    page[first] = pages.landing.draw(rng, len(hits))
    midway = (login > 0) & (login < hits)
    page[first[midway] + login[midway]] = pages.login
    referrer = np.roll(page, 1)
    referrer[first] = len(pages.paths) + EXTERNAL_REFERRERS.draw(rng, len(hits))
    return page, referrer


@functools.lru_cache(maxsize=4)
def shop_pages(seed: int, catalog: int) -> Pages:
    """The shop's pages: static ones, categories, searches and the popular products of the
    catalog of ``catalog`` products under ``seed``."""
    popular = min(catalog, POPULAR_PRODUCTS)
    skus = products.sku_text(products.skus(seed, catalog)[:popular]).to_pylist()
    popularity = np.arange(1, popular + 1) ** -0.8
    groups = [
        (list(STATIC_PAGES), np.array(list(STATIC_PAGES.values()))),
        ([f"/c/{name}" for name in CATEGORIES], _spread(CATEGORY_WEIGHTS, len(CATEGORIES))),
        ([f"/search?q={query}" for query in SEARCHES], _spread(SEARCH_WEIGHTS, len(SEARCHES))),
        ([f"/product/{sku}" for sku in skus], _spread(PRODUCT_WEIGHTS, popular, popularity)),
    ]
    paths = pa.array([path for group, _ in groups for path in group])
    weights = np.concatenate([w for _, w in groups])
    everything = pa.concat_arrays([paths, pa.array([LOGIN_PAGE])])
    urls = join_element_wise(SITE, everything, "")
    return Pages(
        everything,
        pa.concat_arrays([urls, EXTERNAL_REFERRERS.values]),
        Pool(paths, weights[:, 0] / weights[:, 0].sum()),
        Pool(paths, weights[:, 1] / weights[:, 1].sum()),
    )


def _spread(total: tuple[float, float], n: int, shape: np.ndarray | None = None) -> np.ndarray:
    """Weights (as landing page, later) of ``n`` pages sharing ``total``, by ``shape``."""
    shape = np.ones(n) if shape is None else shape
    return np.outer(shape / shape.sum(), total)
