"""Scores as a self-contained HTML page: the table and plots embedded as base64 PNG.

Needs matplotlib (``pip install 'gensample[report]'``); without it :func:`write_report` raises a
:class:`~gensample.errors.BadInputError` that says how to install it. The page replaces whatever
file has its name, so :func:`check_report_path` allows only ``.html`` and ``.htm`` names, never
the predictions file.
"""

import base64
import html
import io
from pathlib import Path

from gensample.errors import BadInputError
from gensample.output.atomic import write_text
from gensample.score.scores import Scores
from gensample.score.table import describe

INSTALL = "pip install 'gensample[report]' (or: pip install matplotlib)"
SUFFIXES = (".html", ".htm")


def check_report_path(path: Path, predictions) -> None:
    """Refuse a report path not ending in .html or .htm, or that is the ``predictions`` file."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise BadInputError(
            f"report {path}: must end in .html or .htm (the page replaces the file of that name)"
        )
    if isinstance(predictions, (str, Path)) and _same_file(path, Path(predictions)):
        raise BadInputError(f"report {path} is the predictions file; name another .html file")


def _same_file(path: Path, other: Path) -> bool:
    try:
        return path.samefile(other)
    except OSError:  # either does not exist (or cannot be looked at): not the same
        return False


def write_report(scores: Scores, path: Path) -> None:
    """Write the HTML report of ``scores`` to ``path`` (see :func:`check_report_path`)."""
    check_report_path(path, scores.predictions)
    try:
        import matplotlib
    except ImportError:
        raise BadInputError(f"--report needs matplotlib: {INSTALL}") from None
    matplotlib.use("Agg")
    from matplotlib import pyplot

    figures = [_cluster_sizes(pyplot, scores), _recall_by_corruption(pyplot, scores)]
    figures += [_similarity(pyplot, name, h) for name, h in scores.similarity.items()]
    figures.append(_curve(pyplot, scores))
    images = "\n".join(
        f'<img alt="{html.escape(title)}" src="data:image/png;base64,{data}">'
        for title, data in (_png(pyplot, figure) for figure in figures if figure)
    )
    page = (
        "<!doctype html>\n<html><head><meta charset='utf-8'><title>gensample score</title>"
        "<style>body{font-family:sans-serif;margin:2em}img{max-width:48%;margin:0.5em}"
        "</style></head><body>\n<h1>gensample score</h1>\n"
        f"<pre>{html.escape(describe(scores))}</pre>\n{images}\n</body></html>\n"
    )
    write_text(Path(path), page)  # whole or not at all; a place it cannot be is a RunError


def _png(pyplot, figure) -> tuple[str, str]:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    title = figure.axes[0].get_title()
    pyplot.close(figure)
    return title, base64.b64encode(buffer.getvalue()).decode("ascii")


def _cluster_sizes(pyplot, scores: Scores):
    figure, axes = pyplot.subplots(figsize=(6, 4))
    for label, sizes in scores.cluster_sizes.items():
        axes.bar(
            [s + (0.2 if label == "predicted" else -0.2) for s in sizes],
            list(sizes.values()),
            width=0.4,
            label=f"{label} ({sum(sizes.values()):,})",
        )
    axes.set(title="cluster sizes", xlabel="records per cluster", ylabel="clusters", yscale="log")
    axes.legend()
    return figure


def _recall_by_corruption(pyplot, scores: Scores):
    if not scores.recall_by_corruption:
        return None
    names = list(scores.recall_by_corruption)
    values = [scores.recall_by_corruption[n].recall or 0.0 for n in names]
    figure, axes = pyplot.subplots(figsize=(6, 0.3 * len(names) + 1.2))
    axes.barh(names, values)
    axes.set(title="recall by corruption", xlabel="recall of pairs involving it", xlim=(0, 1))
    axes.invert_yaxis()
    return figure


def _similarity(pyplot, name: str, histogram):
    figure, axes = pyplot.subplots(figsize=(6, 4))
    edges = histogram.edges
    for label, counts in (("found", histogram.found), ("missed", histogram.missed)):
        axes.stairs(counts, edges, label=f"{label} ({sum(counts):,})", fill=True, alpha=0.5)
    axes.set(title=f"similarity: {name}", xlabel=name, ylabel="true duplicates")
    axes.legend()
    return figure


def _curve(pyplot, scores: Scores):
    if not scores.curve:
        return None
    c = scores.curve
    figure, axes = pyplot.subplots(figsize=(6, 4))
    axes.plot(c.recall, c.precision, drawstyle="steps-post")
    axes.plot([c.best_recall], [c.best_precision], "o", label=f"best F1 at {c.best_threshold:g}")
    axes.set(
        title="precision-recall",
        xlabel="recall",
        ylabel="precision",
        xlim=(0, 1.02),
        ylim=(0, 1.02),
    )
    axes.legend()
    return figure
