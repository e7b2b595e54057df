"""Predicted clusters: connected components of pairs, or cluster labels, for every record.

Pairs are closed transitively (a matched b and b matched c puts a, b and c in one cluster), as
an MDM system does when it merges records into golden records. Records the predictions do not
mention are singletons.
"""

import numpy as np


def components(size: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A cluster label per record (the smallest record index of its component)."""
    parent = np.arange(size, dtype=np.int64)
    while len(a):
        low = np.minimum(parent[a], parent[b])
        high = np.maximum(parent[a], parent[b])
        apart = low != high
        a, b, low, high = a[apart], b[apart], low[apart], high[apart]
        # parent[x] is a root after compression, so this hooks roots onto smaller roots: no cycle
        np.minimum.at(parent, high, low)
        parent = _compress(parent)
    return parent


def _compress(parent: np.ndarray) -> np.ndarray:
    """Point every record at its root (pointer jumping)."""
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return parent
        parent = grand


def labels(size: int, records: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """A cluster label per record from cluster codes; unlisted records get labels of their own."""
    label = np.arange(size, dtype=np.int64) + (int(clusters.max()) + 1 if len(clusters) else 0)
    label[records] = clusters
    return label
