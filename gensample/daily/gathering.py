"""What a batch takes from outside its plan: a tracer drop, archived records to re-inject, and
the drift of existing people. The orchestrator's reading side: files in, tables out.
"""

import datetime as dt

import numpy as np

from gensample.daily import archiving, drift, known_people, reinjection, state, tracer_drops
from gensample.daily.extra_rows import Extras, extra_block
from gensample.daily.rundir import RunDirectory
from gensample.errors import BadInputError
from gensample.generate.plan import Plan
from gensample.generate.seeding import stream
from gensample.output import table_files
from gensample.output.day_files import ENTITIES_FILE
from gensample.settings import Settings

_NONE = np.zeros(0, dtype=np.int64)


def tracer_drop(
    directory: RunDirectory, settings: Settings, current: state.State, date: dt.date
) -> tracer_drops.TracerDrop | None:
    """This batch's tracer rows: a truncate re-run re-uses what the day consumed; otherwise
    a waiting ``tracer/tracer.csv`` when ``tracer`` is on."""
    batches = current.days.get(date.isoformat())
    if settings.load_type == "truncate" and batches and batches[0].tracer:
        return tracer_drops.read_tracer(directory.root / batches[0].tracer)
    waiting = directory.tracer / tracer_drops.TRACER_FILE
    return tracer_drops.read_tracer(waiting) if settings.tracer and waiting.exists() else None


def gather_extras(
    directory: RunDirectory,
    settings: Settings,
    current: state.State,
    plan: Plan,
    drop: tracer_drops.TracerDrop | None,
) -> Extras | None:
    """The batch's tracer, archival and update rows, after the plan's generated records."""
    picks = _archival_picks(directory, settings, plan)
    return extra_block(
        settings,
        plan.date,
        drop,
        picks,
        _changes(directory, settings, current, plan, picks),
        entity_start=plan.entity_stop,
        record_start=plan.record_stop,
        listed=_listed_people(directory, settings, plan.date),
    )


def _archival_picks(directory: RunDirectory, settings: Settings, plan: Plan) -> list:
    """Archived customer records to re-inject, when ``archival`` is on."""
    if not settings.archival or not settings.archival_count:
        return []
    rng = stream(settings.seed, "archival", plan.date.toordinal(), plan.entity_start)
    return reinjection.pick(
        rng, directory.archive, plan.date, settings.archival_count, settings.archival_share
    )


def _changes(
    directory: RunDirectory,
    settings: Settings,
    current: state.State,
    plan: Plan,
    picks: list[reinjection.Picked],
) -> drift.Changes:
    """Today's drift and closures of archived people and records (in the day's first batch
    only), with the current version of those people and of the people picked for re-injection.

    Without drift, archived versions are current and nothing is read. A later batch of an
    appended day reads the day's own archive too: its people may have changed in the first
    batch. Drift needs the days in order: a new day before archived later days is refused.
    """
    if not (settings.drift_share or settings.closure_share):
        return drift.NO_CHANGES
    first = settings.load_type == "truncate" or plan.date.isoformat() not in current.days
    later = [
        day for day in archiving.archived_days(directory.archive, dt.date.max) if day > plan.date
    ]
    if later and plan.date.isoformat() not in current.days:
        raise BadInputError(
            f"{plan.date}: drift_share / closure_share above 0 are not allowed for a day before "
            f"archived days ({later[0]} ...): expected days run oldest first; backfill with "
            "drift_share = 0 and closure_share = 0"
        )
    picked = np.unique(np.concatenate([_NONE, *(p.records["entity_id"].to_numpy() for p in picks)]))
    seen_until = plan.date if first else plan.date + dt.timedelta(days=1)
    index = known_people.scan(directory.archive, seen_until)
    people, closing = drift.choose(settings, plan.date, index) if first else (_NONE, _NONE)
    records = np.union1d(index.records_of(people), closing)
    people_now = np.union1d(index.people_of(records), picked)
    known = known_people.fetch(directory.archive, index, records, people_now)
    return drift.changes(settings, plan.date, known, people, closing)


def _listed_people(directory: RunDirectory, settings: Settings, date: dt.date) -> np.ndarray:
    """Entity ids the day's truth already lists, when this batch is appended to it."""
    path = directory.day(date) / ENTITIES_FILE
    if settings.load_type != "append" or not path.exists():
        return _NONE
    return table_files.read_column(path, "entity_id").to_numpy()
