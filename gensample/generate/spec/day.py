"""The spec datasets of a run's day: what the settings' spec files make for the day's people,
and how each is declared (schema, key, foreign keys, meanings) so the day can record it.

They are made whole once a day, like the built-in reference datasets: the people of the day's
first batch (``settings.customers`` from its first entity), every spec file in the order the
settings name them.
"""

import json

import pyarrow as pa

from gensample.generate.datasets import REGISTRY, Generated
from gensample.generate.plan import Plan
from gensample.generate.spec import engine, files, model
from gensample.generate.spec.arrow_types import schemas
from gensample.generate.truth import Declaration
from gensample.settings import Settings


def day_schemas(settings: Settings) -> dict[str, pa.Schema]:
    """Every spec dataset of ``settings`` and its schema, each spec file's parents first."""
    return {
        name: schema for spec in files.load_all(settings) for name, schema in schemas(spec).items()
    }


def day_tables(settings: Settings, plan: Plan) -> dict[str, Generated]:
    """Every spec dataset of ``settings`` for the people of ``plan`` (its day, from its first
    entity), with its truth rows; built-in parents made per block are the plan's."""
    made: dict[str, Generated] = {}
    for spec in files.load_all(settings):
        made |= engine.generate(spec, settings, plan.date, plan.entity_start, plan)
    return made


def declarations(settings: Settings) -> dict[str, Declaration]:
    """Every spec dataset of ``settings`` declared as a built-in table is: its schema, its id
    column as primary key, its references to tables the day holds as foreign keys."""
    loaded = files.load_all(settings)
    in_day = set(settings.datasets) & set(REGISTRY)
    in_day |= {name for spec in loaded for name in spec.datasets}
    return {
        name: _declaration(spec, name, schema, in_day)
        for spec in loaded
        for name, schema in schemas(spec).items()
    }


def _declaration(spec: model.Spec, name: str, schema: pa.Schema, in_day: set) -> Declaration:
    """One spec dataset declared; a reference to a user's table (not in the day) is no key."""
    dataset = spec.datasets[name]
    key = dataset["id"]["column"]
    references = {
        column: (options["ref"]["dataset"], options["ref"]["column"])
        for column, options in dataset["columns"].items()
        if "ref" in options and options["ref"]["dataset"] in in_day
    }
    descriptions = {key: f"Key of {name}, declared in {spec.file}."}
    descriptions |= {
        column: f"Made by {json.dumps(options, sort_keys=True)} in {spec.file}."
        for column, options in dataset["columns"].items()
    }
    return Declaration(schema, (key,), references, descriptions)
