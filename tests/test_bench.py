"""The benchmark's yardstick: the write limit writes a day's CSV bytes again, exactly."""

from conftest import run_day
from write_limit import measure_write_limit


def test_the_write_limit_writes_the_same_bytes_as_the_run(run_dir, tmp_path):
    summary = run_day(run_dir, customers=300)  # every dataset, as CSV
    files = sorted(summary.day_dir.rglob("*.csv"))
    limit = measure_write_limit(summary.day_dir, tmp_path)
    assert limit.different == []  # each file's SHA-256 as in the manifest
    assert limit.bytes_written == sum(path.stat().st_size for path in files)
    assert len(files) > 20 and limit.seconds > 0
    assert list(tmp_path.iterdir()) == [run_dir]  # the scratch copies are gone
