"""The scorer: how well a matcher's predictions recover the truth of a generated day.

``gensample score`` and :func:`score` read the day's truth (``truth/records`` and
``truth/entities``) and a predictions file of pairs or clusters, close pairs transitively into
clusters, and compute pairwise and B-cubed precision, recall and F1, cluster splits and merges,
recall by corruption, variation, difficulty and dataset pair, false-match rates on hard negatives
and, for scored pairs, the precision-recall curve, all exactly from group sizes (never by listing
pairs). See docs/scoring.md.
"""

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa

from gensample.score import predictions as _predictions
from gensample.score import truth as _truth
from gensample.score.scores import Scores, evaluate

__all__ = ["Scores", "render", "score"]


def score(
    corpus_or_dir,
    predictions: str | Path | pa.Table,
    date: dt.date | str | None = None,
    datasets: tuple[str, ...] | None = None,
) -> Scores:
    """Score ``predictions`` against the truth of a corpus, a day directory or a run dir + date.

    ``corpus_or_dir`` is an object with ``truth.records`` and ``truth.entities`` tables, a day
    directory (``out/<date>``, holding ``truth/``) or a run directory with ``date``. ``datasets``
    names the datasets scored (default: those named in the predictions, else customers).
    """
    records, entities, source = _truth.load_tables(corpus_or_dir, date)
    raw = _predictions.read(predictions)
    chosen = raw.datasets(datasets, _truth.dataset_names(records))
    truth = _truth.index_truth(records, entities, chosen, source)
    return evaluate(truth, _predictions.resolve(raw, truth), source)


def render(scores: Scores, as_json: bool = False, report: Path | None = None) -> str:
    """The terminal text (or JSON) of ``scores``; first writes the HTML ``report`` if given."""
    from gensample.score.report import write_report
    from gensample.score.table import describe

    if report:
        write_report(scores, report)
    if as_json:
        return json.dumps(scores.to_dict(), indent=2, allow_nan=False)
    return describe(scores)
