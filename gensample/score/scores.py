"""The scores of one prediction against the truth, and how they are computed."""

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pyarrow.compute as pc

from gensample.score import breakdown, metrics
from gensample.score.breakdown import HardNegatives, Histogram, PairOfDatasets, Recall
from gensample.score.components import components, labels
from gensample.score.curve import Curve, curve
from gensample.score.metrics import Rates
from gensample.score.predictions import Predictions
from gensample.score.truth import SIMILARITY_SUFFIX, Truth, dense


@dataclass(frozen=True)
class Scores:
    """Every metric of a prediction; ``to_dict()`` gives the JSON document."""

    truth: str
    predictions: str
    form: str  # "pairs" or "clusters"
    datasets: tuple[str, ...]
    records: int
    entities: int
    clusters: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    pairwise: Rates
    bcubed: Rates
    entities_split: int  # true entities spread over several predicted clusters
    clusters_merged: int  # predicted clusters holding several true entities
    cluster_sizes: dict[str, dict[int, int]]  # "true" / "predicted": size -> clusters
    recall_by_corruption: dict[str, Recall]
    recall_by_field: dict[str, Recall]
    recall_by_variation: dict[str, Recall]
    recall_by_difficulty: dict[str, Recall]
    by_dataset_pair: dict[str, PairOfDatasets]
    hard_negatives: dict[str, HardNegatives]
    similarity: dict[str, Histogram]
    curve: Curve | None

    def to_dict(self) -> dict:
        """Plain JSON-ready data: finite numbers, string keys, None where undefined."""
        return _plain(dataclasses.asdict(self))


def _plain(value):
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def evaluate(truth: Truth, predictions: Predictions, source: str) -> Scores:
    """Score ``predictions`` against ``truth``."""
    if predictions.form == "pairs":
        cluster = components(truth.size, predictions.a, predictions.b)
    else:
        cluster = labels(truth.size, predictions.a, predictions.b)
    table = metrics.contingency(truth.entity, cluster)
    cluster = dense(cluster)[1]
    records = truth.records
    corruptions = _masks(records, "corruptions", "name")
    scored_pairs = predictions.scores is not None
    return Scores(
        truth=source,
        predictions=predictions.name,
        form=predictions.form,
        datasets=truth.datasets,
        records=truth.size,
        entities=len(table.entity_size),
        clusters=len(table.cluster_size),
        true_pairs=metrics.pairs(table.entity_size),
        predicted_pairs=metrics.pairs(table.cluster_size),
        correct_pairs=metrics.pairs(table.cell_size),
        pairwise=metrics.pairwise(table),
        bcubed=metrics.bcubed(table),
        entities_split=metrics.splits(table),
        clusters_merged=metrics.merges(table),
        cluster_sizes={
            "true": metrics.size_histogram(table.entity_size),
            "predicted": metrics.size_histogram(table.cluster_size),
        },
        recall_by_corruption=_recall_by_corruption(table, truth, corruptions),
        recall_by_field=breakdown.recall_by(
            table, truth.entity, _masks(records, "corruptions", "field")
        ),
        recall_by_variation=breakdown.recall_by(
            table, truth.entity, _masks(records, "variations", "whole")
        ),
        recall_by_difficulty=breakdown.recall_by(
            table, truth.entity, _masks(records, "difficulty", "value")
        ),
        by_dataset_pair=breakdown.by_dataset_pair(
            table, truth.entity, cluster, truth.dataset_code, truth.datasets
        ),
        hard_negatives={
            kind: breakdown.hard_negatives(table, truth.entity, cluster, groups)
            for kind, groups in breakdown.hard_negative_groups(truth.entities).items()
        },
        similarity=_similarity(truth, cluster),
        curve=curve(
            predictions.a,
            predictions.b,
            predictions.scores,
            truth.entity,
            metrics.pairs(table.entity_size),
        )
        if scored_pairs
        else None,
    )


def _masks(records, column: str, part: str) -> dict[str, np.ndarray]:
    if column not in records.column_names:
        return {}
    return breakdown.label_masks(records[column], part)


def _recall_by_corruption(table, truth: Truth, masks: dict[str, np.ndarray]) -> dict:
    result = breakdown.recall_by(table, truth.entity, masks)
    if masks:
        carries = np.logical_or.reduce(list(masks.values()))
        clean = breakdown.recall_without_any(table, truth.entity, carries)
        if clean.true_pairs:
            result[breakdown.NO_CORRUPTION] = clean
    return result


def _similarity(truth: Truth, cluster: np.ndarray) -> dict[str, Histogram]:
    """Similarity histograms of duplicates (to their original), found against missed."""
    columns = [c for c in truth.records.column_names if c.endswith(SIMILARITY_SUFFIX)]
    if not columns or "duplicate_of" not in truth.records.column_names:
        return {}
    original = np.full(truth.size, -1, dtype=np.int64)
    duplicate_of = truth.records["duplicate_of"].fill_null(-1).to_numpy().astype(np.int64)
    for number in range(len(truth.datasets)):
        mine = (truth.dataset_code == number) & (duplicate_of >= 0)
        original[mine] = truth.lookup(number, duplicate_of[mine])
    linked = original >= 0
    found = cluster[linked] == cluster[original[linked]]
    result = {}
    for column in columns:
        values = pc.cast(truth.records[column], "float64").to_numpy(zero_copy_only=False)
        result[column.removesuffix(SIMILARITY_SUFFIX)] = breakdown.similarity(
            values[linked].astype(float), found
        )
    return result
