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
    counts = _sweep(a[order].tolist(), b[order].tolist(), last.tolist(), entity.tolist())
    return scores[last], counts[0], counts[1]


def _sweep(a: list, b: list, last: list, entity: list) -> np.ndarray:
    """Add the pairs in order to a union-find; predicted and correct pairs after each ``last``.

    One long loop over plain lists, because this is the scorer's only per-pair Python code (about
    1 s per million pairs). A component holding one entity only, as most do, keeps that entity
    in ``sole``; a mixed one (``sole`` -1) keeps its records per entity in ``mixed``, and the
    smaller side is merged into the larger.
    """
    parent = list(range(len(entity)))
    size = [1] * len(entity)
    sole = list(entity)
    mixed: dict[int, dict[int, int]] = {}
    predicted = correct = point = 0
    out = np.empty((2, sum(last)), np.int64)
    for x, y, ends in zip(a, b, last, strict=True):
        while parent[x] != x:
            parent[x] = x = parent[parent[x]]
        while parent[y] != y:
            parent[y] = y = parent[parent[y]]
        if x != y:
            if size[x] < size[y]:
                x, y = y, x
            predicted += size[x] * size[y]
            if sole[x] >= 0 and sole[x] == sole[y]:  # the common case, without a call
                correct += size[x] * size[y]
            else:
                correct += _merge(x, y, size, sole, mixed)
            parent[y] = x
            size[x] += size[y]
        if ends:
            out[0, point], out[1, point] = predicted, correct
            point += 1
    return out


def _merge(x: int, y: int, size: list, sole: list, mixed: dict) -> int:
    """Merge component ``y``'s records per entity into ``x``'s; return the correct pairs made."""
    ex, ey = sole[x], sole[y]
    into = mixed.get(x) if ex < 0 else None
    if into is None:
        into = mixed[x] = {ex: size[x]}
        sole[x] = -1
    made = 0
    for e, n in mixed.pop(y).items() if ey < 0 else ((ey, size[y]),):
        here = into.get(e, 0)
        made += here * n
        into[e] = here + n
    return made


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
