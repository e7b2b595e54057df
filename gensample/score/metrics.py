"""Matching metrics, exact, from the contingency table of (true entity, predicted cluster).

Nothing here lists pairs: a group of n records holds n(n-1)/2 pairs, so every pair count is a
sum over group sizes, and a million records score in the time of a sort.
"""

from dataclasses import dataclass

import numpy as np

from gensample.score.truth import dense


@dataclass(frozen=True)
class Contingency:
    """Records grouped by (entity, cluster): ``cell`` per record indexes the cell arrays."""

    cell: np.ndarray  # per record: its cell
    cell_entity: np.ndarray  # per cell: entity code
    cell_cluster: np.ndarray  # per cell: cluster label (dense)
    cell_size: np.ndarray  # per cell: records
    entity_size: np.ndarray  # per entity code: records
    cluster_size: np.ndarray  # per dense cluster label: records


@dataclass(frozen=True)
class Rates:
    """Precision, recall and F1; None where undefined (nothing to divide by)."""

    precision: float | None
    recall: float | None
    f1: float | None


def pairs(sizes: np.ndarray) -> int:
    """Pairs within groups of these sizes: the sum of n(n-1)/2."""
    sizes = np.asarray(sizes, dtype=np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or None when the denominator is 0."""
    return float(numerator) / float(denominator) if denominator else None


def rates(precision: float | None, recall: float | None) -> Rates:
    """Rates with their F1: 0 when either is 0, None when either is undefined otherwise."""
    if precision == 0 or recall == 0:
        return Rates(precision, recall, 0.0)
    if precision is None or recall is None:
        return Rates(precision, recall, None)
    return Rates(precision, recall, 2 * precision * recall / (precision + recall))


def contingency(entity: np.ndarray, cluster: np.ndarray) -> Contingency:
    """The contingency table of per-record entity codes and cluster labels."""
    cluster_labels, cluster = dense(cluster)
    key = entity.astype(np.int64) * len(cluster_labels) + cluster
    keys, cell, cell_size = np.unique(key, return_inverse=True, return_counts=True)
    return Contingency(
        cell=cell.reshape(-1),
        cell_entity=keys // len(cluster_labels),
        cell_cluster=keys % len(cluster_labels),
        cell_size=cell_size,
        entity_size=np.bincount(entity, minlength=int(entity.max(initial=-1)) + 1),
        cluster_size=np.bincount(cluster, minlength=len(cluster_labels)),
    )


def pairwise(table: Contingency) -> Rates:
    """Pairwise precision and recall: correct pairs over predicted pairs, over true pairs."""
    correct = pairs(table.cell_size)
    return rates(
        ratio(correct, pairs(table.cluster_size)), ratio(correct, pairs(table.entity_size))
    )


def bcubed(table: Contingency) -> Rates:
    """B-cubed precision and recall, averaged over records.

    A record's precision is the share of its predicted cluster that is its entity, its recall the
    share of its entity that is in its cluster: each of the n records of a cell contributes
    n / cluster size (and n / entity size), so the sums are over cells of n^2 / size.
    """
    n = table.cell_size.astype(np.float64)
    records = n.sum()
    precision = (n * n / table.cluster_size[table.cell_cluster]).sum()
    recall = (n * n / table.entity_size[table.cell_entity]).sum()
    return rates(ratio(precision, records), ratio(recall, records))


def splits(table: Contingency) -> int:
    """True entities whose records are spread over more than one predicted cluster."""
    return int((np.bincount(table.cell_entity) > 1).sum())


def merges(table: Contingency) -> int:
    """Predicted clusters that hold records of more than one entity."""
    return int((np.bincount(table.cell_cluster) > 1).sum())


def size_histogram(sizes: np.ndarray) -> dict[int, int]:
    """How many groups have each size."""
    counts = np.bincount(sizes)
    return {int(size): int(counts[size]) for size in np.flatnonzero(counts)}
