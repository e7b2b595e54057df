"""Corpora ready to share: a written day as one Parquet file per table plus a dataset card, the
folder layout dataset hubs load (``datasets.load_dataset(folder, name)``), and its upload.

``export_day`` reads the day back checked against its manifest (``gensample.api.read_day``),
so a shared corpus is exactly what the run committed.
"""

from gensample.export.folder import ExportReport, export_day
from gensample.export.hub import push_folder, push_token

__all__ = ["ExportReport", "export_day", "push_folder", "push_token"]
