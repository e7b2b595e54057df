"""The engine settings: which schedulers are allowed, and the size of a cluster started here."""

import pytest

from gensample import settings
from gensample.errors import BadInputError
from gensample.settings.engine import local_cluster_size


@pytest.mark.parametrize(
    "scheduler",
    [
        "",
        "local:1",
        "local:999",
        "tcp://10.0.0.5:8786",
        "scheduler.internal:8786",
        "tls://[2001:db8::1]:8786",
        "wss://dask.example:443",
        "dask-scheduler:1",
        "tcp://h:65535",
    ],
)
def test_allowed_schedulers_load(run_dir, scheduler):
    loaded = settings.load(run_dir, flags={"engine": "dask", "scheduler": scheduler})
    assert (loaded.engine, loaded.scheduler) == ("dask", scheduler)


@pytest.mark.parametrize(
    "scheduler",
    [
        *("local:0", "local:1000", "local:two", "tcp://host:8786/path", "a b:1", 8786),
        *("garbage", "dask-scheduler", "tcp://host", "tcp://h:0", "tcp://h:65536"),
        *("http://h:8786", "inproc://h:1"),
    ],
)
def test_a_bad_scheduler_is_refused_naming_the_flag_and_what_is_allowed(run_dir, scheduler):
    with pytest.raises(BadInputError) as raised:
        settings.load(run_dir, flags={"scheduler": scheduler})
    assert f"--scheduler: scheduler = {scheduler!r} is not allowed" in str(raised.value)
    assert "'local:N'" in str(raised.value)


def test_a_bad_engine_is_refused(run_dir):
    (run_dir / "gensample.toml").write_text('engine = "spark"\n')
    with pytest.raises(BadInputError, match="engine = 'spark' is not allowed: expected one of"):
        settings.load(run_dir)


@pytest.mark.parametrize(
    ("scheduler", "workers", "size"),
    [("", 0, 8), ("", 3, 3), ("local:2", 0, 2), ("local:2", 5, 2), ("tcp://h:8786", 2, None)],
)
def test_the_cluster_started_here(scheduler, workers, size):
    assert local_cluster_size(scheduler, workers, cpus=8) == size
