"""The precision-recall curve of scored pairs, exact for the transitive closure at every threshold.

At a threshold s the prediction is the pairs scoring at least s, closed transitively (as the
scorer treats every pairs prediction), so a low-scoring pair can be implied by two high-scoring
ones. Pairs are added in descending score to a union-find whose components keep how many
records of each entity they hold; merging components A and B adds size(A) * size(B) predicted
pairs and the sum over entities of count_A * count_B correct pairs. One point per distinct
score: exactly the pairwise precision and recall of the closure at that threshold.
"""

from dataclasses import dataclass

import numpy as np

from gensample.score.metrics import rates, ratio

MAX_POINTS = 500  # points kept for output; the best threshold is chosen from all of them


@dataclass(frozen=True)
class Curve:
    """Pairwise precision and recall by score threshold (descending), and the best-F1 point."""

    thresholds: tuple[float, ...]
    precision: tuple[float, ...]
    recall: tuple[float, ...]
    best_threshold: float
    best_f1: float
    best_precision: float
    best_recall: float


def closure_counts(a, b, scores, entity) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct thresholds (descending), and predicted and correct pairs of the closure at each."""
    order = np.argsort(-scores, kind="stable")
    scores = scores[order]
    last = np.append(scores[1:] != scores[:-1], True)  # the last pair of each distinct score
    forest = _Forest(entity)
    out = np.empty((2, int(last.sum())), np.int64)
    point = 0
    for x, y, ends in zip(a[order].tolist(), b[order].tolist(), last.tolist(), strict=True):
        forest.union(x, y)
        if ends:
            out[:, point] = forest.predicted, forest.correct
            point += 1
    return scores[last], out[0], out[1]


class _Forest:
    """Union-find over records, each component knowing its records per entity."""

    def __init__(self, entity: np.ndarray):
        self.entity = entity
        self.parent: dict[int, int] = {}
        self.size: dict[int, int] = {}
        self.members: dict[int, dict[int, int]] = {}  # root -> entity -> records
        self.predicted = self.correct = 0

    def find(self, x: int) -> int:
        parent = self.parent
        if x not in parent:
            parent[x], self.size[x], self.members[x] = x, 1, {int(self.entity[x]): 1}
            return x
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return
        if self.size[rx] < self.size[ry]:
            rx, ry = ry, rx
        big, small = self.members[rx], self.members.pop(ry)
        self.predicted += self.size[rx] * self.size[ry]
        for entity, n in small.items():
            here = big.get(entity, 0)
            self.correct += here * n
            big[entity] = here + n
        self.parent[ry] = rx
        self.size[rx] += self.size.pop(ry)


def curve(a, b, scores, entity, true_pairs: int) -> Curve | None:
    """The precision-recall curve and best-F1 threshold of scored pairs (None without pairs)."""
    if not len(scores):
        return None
    thresholds, predicted, correct = closure_counts(a, b, scores, entity)
    precision = correct / predicted
    recall = correct / true_pairs if true_pairs else np.zeros(len(correct))
    f1 = np.array([rates(p, r).f1 for p, r in zip(precision, recall, strict=True)], float)
    best = int(np.argmax(f1))
    keep = np.unique(np.r_[np.linspace(0, len(f1) - 1, MAX_POINTS).astype(int), best])
    return Curve(
        tuple(thresholds[keep].tolist()),
        tuple(precision[keep].tolist()),
        tuple(recall[keep].tolist()),
        float(thresholds[best]),
        float(f1[best]),
        float(precision[best]),
        float(ratio(correct[best], true_pairs) or 0.0),
    )
