"""Where a matcher succeeds and fails: recall by record label and dataset pair, hard negatives.

Recall by a label (a corruption, a variation, a difficulty bucket) is the recall over the true
pairs in which at least one record carries the label: all true pairs minus those among the
records without it, counted from group sizes like every other metric. A false-match rate is the
share of hard-negative pairs (records of different people in one group, a household say) that
the prediction puts in one cluster.
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.score.metrics import Contingency, pairs, ratio

NO_CORRUPTION = "(none)"
HISTOGRAM_BINS = 20


@dataclass(frozen=True)
class Recall:
    """Recall over the true pairs that involve a label."""

    true_pairs: int
    found_pairs: int
    recall: float | None


@dataclass(frozen=True)
class PairOfDatasets:
    """Pairs between records of two datasets (or within one)."""

    true_pairs: int
    found_pairs: int
    predicted_pairs: int
    recall: float | None
    precision: float | None


@dataclass(frozen=True)
class HardNegatives:
    """Pairs of different people in one look-alike group, and how many were matched."""

    pairs: int
    false_matches: int
    rate: float | None


@dataclass(frozen=True)
class Histogram:
    """A similarity's distribution over true duplicates the prediction found and missed."""

    edges: tuple[float, ...]
    found: tuple[int, ...]
    missed: tuple[int, ...]


def label_masks(column: pa.ChunkedArray, part: str) -> dict[str, np.ndarray]:
    """Per label, which records carry it, from ``field:label;field:label`` text.

    ``part`` picks what a label is: ``"name"`` the part after the colon (the corruption),
    ``"field"`` the part before, ``"whole"`` both, ``"value"`` the cell itself (a bucket).
    """
    encoded = pc.dictionary_encode(column.combine_chunks().cast(pa.string()))
    texts = encoded.dictionary.to_pylist()
    carriers: dict[str, list[int]] = {}
    for number, text in enumerate(texts):
        for label in _labels(text, part):
            carriers.setdefault(label, []).append(number)
    index = encoded.indices.fill_null(len(texts)).to_numpy().astype(np.int64)  # null: no label
    masks = {}
    for label, numbers in sorted(carriers.items()):
        carried = np.zeros(len(texts) + 1, dtype=bool)
        carried[numbers] = True
        masks[label] = carried[index]
    return masks


def _labels(text: str | None, part: str) -> set[str]:
    if text is None or text == "":
        return set()
    if part == "value":
        return {text}
    items = [item.strip() for item in text.split(";") if item.strip()]
    if part == "whole":
        return set(items)
    field, name = zip(*(item.partition(":")[::2] for item in items), strict=True)
    return set(name if part == "name" else field) - {""}


def recall_by(table: Contingency, entity: np.ndarray, masks: dict[str, np.ndarray]) -> dict:
    """Recall over the true pairs involving each label's records."""
    result = {}
    for label, carries in masks.items():
        true = _pairs_involving(table.entity_size, entity[carries])
        found = _pairs_involving(table.cell_size, table.cell[carries])
        if true:
            result[label] = Recall(true, found, ratio(found, true))
    return result


def _pairs_involving(sizes: np.ndarray, groups_of_carriers: np.ndarray) -> int:
    """Pairs within groups that involve a carrier: a group's pairs less those of the others."""
    touched, carriers = np.unique(groups_of_carriers, return_counts=True)
    return pairs(sizes[touched]) - pairs(sizes[touched] - carriers)


def recall_without_any(table: Contingency, entity: np.ndarray, carries: np.ndarray) -> Recall:
    """Recall over the true pairs in which neither record carries any label."""
    true = pairs(np.bincount(entity[~carries]))
    found = pairs(np.bincount(table.cell[~carries]))
    return Recall(true, found, ratio(found, true))


def by_dataset_pair(table: Contingency, entity, cluster, code, datasets) -> dict:
    """Recall and precision of the pairs between each two datasets (``a ~ b``) and within one."""
    counts = []
    for number in range(len(datasets)):
        mine = code == number
        counts.append(
            tuple(
                np.bincount(values[mine], minlength=length)
                for values, length in (
                    (entity, len(table.entity_size)),
                    (table.cell, len(table.cell_size)),
                    (cluster, len(table.cluster_size)),
                )
            )
        )
    result = {}
    for i, first in enumerate(datasets):
        for j in range(i, len(datasets)):
            if i == j:
                true, found, predicted = (pairs(c) for c in counts[i])
            else:
                true, found, predicted = (
                    int(x @ y) for x, y in zip(counts[i], counts[j], strict=True)
                )
            if true or predicted:
                result[f"{first} ~ {datasets[j]}"] = PairOfDatasets(
                    true, found, predicted, ratio(found, true), ratio(found, predicted)
                )
    return result


RELATION_KINDS = {"junior": "junior_senior", "senior": "junior_senior"}
"""Relations whose people are one kind of hard negative together (a junior and his senior);
any other relation is a kind of its own (twin, namesake)."""


def hard_negative_groups(entities: pa.Table) -> dict[str, np.ndarray]:
    """Per kind of hard negative, a group code per entity (-1: in no group)."""
    groups = {}
    if "household_id" in entities.column_names:
        groups["household"] = _codes(entities["household_id"])
    if "lookalike_group" in entities.column_names:
        lookalike = _codes(entities["lookalike_group"])
        if "relation" in entities.column_names:
            for relation, carries in label_masks(entities["relation"], "value").items():
                kind = RELATION_KINDS.get(relation, relation)
                groups[kind] = np.where(carries, lookalike, groups.get(kind, -1))
        else:
            groups["lookalike"] = lookalike
    return groups


def _codes(column: pa.ChunkedArray) -> np.ndarray:
    indices = pc.dictionary_encode(column.combine_chunks()).indices
    return indices.fill_null(-1).to_numpy().astype(np.int64)


def hard_negatives(table: Contingency, entity, cluster, group_of_entity) -> HardNegatives:
    """Pairs of different entities of one group, and those put in one predicted cluster."""
    group = group_of_entity[entity]
    grouped = group >= 0
    same_group = pairs(np.bincount(group[grouped]))
    same_entity = pairs(table.entity_size[group_of_entity >= 0])
    key = group[grouped] * (int(cluster.max(initial=0)) + 1) + cluster[grouped]
    together = pairs(np.unique(key, return_counts=True)[1])
    correct = pairs(table.cell_size[group_of_entity[table.cell_entity] >= 0])
    negatives = same_group - same_entity
    return HardNegatives(negatives, together - correct, ratio(together - correct, negatives))


def similarity(values: np.ndarray, found: np.ndarray) -> Histogram:
    """Histogram of a similarity over duplicates, split by whether the prediction found them."""
    keep = np.isfinite(values)
    values, found = values[keep], found[keep]
    low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
    edges = np.linspace(low, high if high > low else low + 1, HISTOGRAM_BINS + 1)
    found_counts = np.histogram(values[found], bins=edges)[0]
    missed_counts = np.histogram(values[~found], bins=edges)[0]
    return Histogram(
        tuple(float(e) for e in edges),
        tuple(int(c) for c in found_counts),
        tuple(int(c) for c in missed_counts),
    )
