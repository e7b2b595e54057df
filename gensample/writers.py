"""Output files written block by block with Arrow: CSV or Parquet, counted as they grow."""

import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from gensample.errors import RunError

CSV_OPTIONS = pacsv.WriteOptions(quoting_style="needed")
HASH_CHUNK = 1 << 22


class TableFile:
    """One output file; tables are appended in order and the file is closed once."""

    def __init__(self, path: Path, schema: pa.Schema, file_format: str) -> None:
        self.path, self.rows = Path(path), 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if file_format == "parquet":
                self._writer = pq.ParquetWriter(str(self.path), schema, compression="zstd")
            else:
                self._writer = pacsv.CSVWriter(str(self.path), schema, write_options=CSV_OPTIONS)
        except OSError as error:
            raise RunError(f"cannot write {self.path}: {error}") from error

    def write(self, table: pa.Table) -> None:
        """Append ``table`` (of the file's schema)."""
        try:
            self._writer.write_table(table)
        except OSError as error:
            raise RunError(f"cannot write {self.path}: {error}") from error
        self.rows += table.num_rows

    def close(self) -> None:
        """Flush and close the file."""
        try:
            self._writer.close()
        except OSError as error:
            raise RunError(f"cannot write {self.path}: {error}") from error


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
