"""Scores as a plain-text table for the terminal."""

from gensample.score.scores import Scores


def describe(scores: Scores) -> str:
    """Every metric of ``scores`` as aligned plain text."""
    lines = [
        f"truth        {scores.truth} ({', '.join(scores.datasets)})",
        f"predictions  {scores.predictions} ({scores.form})",
        f"records {scores.records:,}  entities {scores.entities:,}  "
        f"predicted clusters {scores.clusters:,}",
        f"pairs: true {scores.true_pairs:,}  predicted {scores.predicted_pairs:,}  "
        f"correct {scores.correct_pairs:,}",
        "",
        f"{'':24}{'precision':>10}{'recall':>10}{'f1':>10}",
        _rates("pairwise", scores.pairwise),
        _rates("b-cubed", scores.bcubed),
        "",
        f"entities split over several clusters  {scores.entities_split:,}",
        f"clusters merging several entities     {scores.clusters_merged:,}",
    ]
    for title, recalls in (
        ("recall by corruption", scores.recall_by_corruption),
        ("recall by corrupted field", scores.recall_by_field),
        ("recall by variation", scores.recall_by_variation),
        ("recall by difficulty", scores.recall_by_difficulty),
    ):
        if recalls:
            lines += ["", f"{title:<32}{'true pairs':>12}{'found':>10}{'recall':>10}"]
            lines += [
                f"  {label:<30}{r.true_pairs:>12,}{r.found_pairs:>10,}{_number(r.recall):>10}"
                for label, r in recalls.items()
            ]
    lines += [
        "",
        f"{'dataset pair':<44}{'true':>10}{'found':>10}{'predicted':>10}"
        f"{'recall':>10}{'precision':>10}",
    ]
    lines += [
        f"  {name:<42}{p.true_pairs:>10,}{p.found_pairs:>10,}{p.predicted_pairs:>10,}"
        f"{_number(p.recall):>10}{_number(p.precision):>10}"
        for name, p in scores.by_dataset_pair.items()
    ]
    if scores.hard_negatives:
        lines += ["", f"{'hard negatives':<32}{'pairs':>12}{'matched':>10}{'rate':>10}"]
        lines += [
            f"  {kind:<30}{h.pairs:>12,}{h.false_matches:>10,}{_number(h.rate):>10}"
            for kind, h in scores.hard_negatives.items()
        ]
    if scores.curve:
        c = scores.curve
        lines += [
            "",
            f"best threshold: score >= {c.best_threshold:g} gives F1 {c.best_f1:.4f} "
            f"(precision {c.best_precision:.4f}, recall {c.best_recall:.4f})",
        ]
    return "\n".join(lines)


def _rates(name: str, rates) -> str:
    return f"{name:<24}" + "".join(
        f"{_number(v):>10}" for v in (rates.precision, rates.recall, rates.f1)
    )


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"
