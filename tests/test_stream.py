"""gensample stream: the pacer on a fake clock, micro-batches, the outbox, and real stream
processes controlled over HTTP, stopped by SIGTERM and restarted; Kafka through the mock cluster."""

import contextlib
import datetime as dt
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import (
    DAY,
    blocks_stop_signals,
    gensample_command,
    lock_held_elsewhere,
    read_csv,
    run_day,
)

from gensample.cli import main
from gensample.errors import BadInputError, RunError
from gensample.settings import Settings
from gensample.stream import control, engine, microbatch, progress, sinks
from gensample.stream.encoding import json_rows
from gensample.stream.metrics import Metrics
from gensample.stream.outbox import Outbox
from gensample.stream.pacer import BURST_SECONDS, UNLIMITED, Pacer, clock_factor

EVENTS = ("pos_transactions", "clickstream")


class FakeClock:
    """A monotonic clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def drain(pacer: Pacer, clock: FakeClock, seconds: float, least: int = 1) -> int:
    """Events the pacer hands out while ``seconds`` of fake time pass."""
    granted, end = 0, clock.now + seconds
    while clock.now < end:
        granted += pacer.take(least, 10**9)
    return granted


def test_pacer_holds_the_rate_on_a_fake_clock():
    clock = FakeClock()
    pacer = Pacer(1000.0, clock, clock.sleep)
    assert drain(pacer, clock, 60.0, least=50) == pytest.approx(60_000, abs=60)
    pacer.set_rate(200.0)
    # plus the fewer than 50 events earned at the old rate and not yet handed out
    assert drain(pacer, clock, 10.0) == pytest.approx(2025, abs=26)


def test_pacer_makes_up_a_stall_but_saves_no_more_than_a_burst():
    clock = FakeClock()
    pacer = Pacer(100.0, clock, clock.sleep)
    clock.now += 0.2  # a micro-batch being generated
    assert pacer.take(1, 10**9) == 20
    clock.now += 60.0  # a long stall earns BURST_SECONDS of events at most
    assert pacer.take(1, 10**9) == round(100 * BURST_SECONDS)
    pacer.restart()  # after a pause: nothing saved up
    clock.now += 0.01
    assert pacer.take(1, 10**9) == 1


def test_pacer_owes_the_events_sent_beyond_its_grant():
    clock = FakeClock()
    pacer = Pacer(100.0, clock, clock.sleep)
    pacer.owe(30)
    assert drain(pacer, clock, 1.0) == pytest.approx(70, abs=2)


def test_an_unlimited_pacer_never_waits():
    clock = FakeClock()
    assert Pacer(UNLIMITED, clock, clock.sleep).take(1, 500) == 500
    assert clock.now == 100.0


def test_the_clock_shape_averages_one_over_a_week():
    monday = dt.datetime(2026, 11, 23)
    factors = [clock_factor(monday + dt.timedelta(hours=h)) for h in range(7 * 24)]
    assert np.mean(factors) == pytest.approx(1.0)
    assert clock_factor(monday.replace(hour=4)) < 0.1 < 1 < clock_factor(monday.replace(hour=18))


def test_sent_datasets_add_what_they_refer_to_but_reference_data():
    assert microbatch.sent_datasets(["mobile_events"]) == [
        "customers",
        "loyalty_members",
        "mobile_events",
    ]
    assert microbatch.sent_datasets(["pos_transactions"]) == ["pos_customers", "pos_transactions"]
    for wrong in ("stores", "nothing"):
        with pytest.raises(BadInputError, match=f"{wrong!r} is not allowed"):
            microbatch.sent_datasets([wrong])


@pytest.fixture(scope="module")
def micro() -> list[tuple[str, pa.Table]]:
    """One micro-batch of 400 people sending pos_transactions and clickstream."""
    sent = microbatch.sent_datasets(EVENTS)
    settings = microbatch.generation_settings(Settings(), sent, 400)
    return microbatch.generate(settings, progress.Progress(), DAY)


def test_a_micro_batch_claims_ids_from_the_stream_base():
    claimed = progress.Progress()
    settings = microbatch.generation_settings(Settings(), ["customers"], 100)
    tables = dict(microbatch.generate(settings, claimed, DAY))
    ids = tables["customers"]["customer_id"].to_numpy()
    assert ids.min() == progress.ID_BASE and claimed.next_ids["customers"] == ids.max() + 1
    assert claimed.next_entity_id == progress.ID_BASE + 100
    again = dict(microbatch.generate(settings, claimed, DAY))["customers"]
    assert again["customer_id"].to_numpy().min() == ids.max() + 1


def test_stamping_moves_every_timestamp_of_a_row_alike(micro):
    hits = dict(micro)["clickstream"]
    stamped = microbatch.stamp(hits, 1_800_000_000)
    assert pc.all(pc.equal(stamped["session_ended_at"].cast(pa.int64()), 1_800_000_000)).as_py()
    for column in ("session_started_at", "hit_at"):
        before = pc.subtract(hits[column], hits["session_ended_at"]).cast(pa.int64())
        after = pc.subtract(stamped[column].cast(pa.int64()), 1_800_000_000)
        assert before.equals(after)
        assert pc.all(pc.less_equal(after, 0)).as_py()


def test_the_outbox_sends_parents_first_baskets_whole_and_truth_before_data(micro):
    outbox = Outbox()
    outbox.add(micro)
    names, baskets, parts_seen = [], [], 0
    while outbox:
        parts, taken = outbox.take(7)
        assert taken == sum(t.num_rows for n, t in parts if not n.startswith("truth/"))
        for name, table in parts:
            parts_seen += 1
            if name == "truth/pos_customers":
                truth = table
            if name == "pos_customers":
                assert truth["record_id"].equals(table["pos_customer_id"])
            if name == "pos_transactions":
                baskets.append(table["basket_id"].to_numpy())
            names.append(name)
    assert [n for i, n in enumerate(names) if n not in names[:i]] == [
        "truth/customers",
        "customers",
        "truth/pos_customers",
        "pos_customers",
        "pos_transactions",
        "clickstream",
    ]
    assert parts_seen > 100
    assert len(np.concatenate(baskets)) == dict(micro)["pos_transactions"].num_rows
    per_chunk = [set(chunk) for chunk in baskets]
    assert sum(map(len, per_chunk)) == len(set().union(*per_chunk))  # no basket split


def test_json_rows_keep_money_and_times_exact(micro):
    line = json.loads(json_rows(dict(micro)["pos_transactions"].slice(0, 1))[0])
    assert isinstance(line["basket_id"], int)
    assert line["unit_price"].count(".") == 1 and len(line["unit_price"].split(".")[1]) == 2
    assert dt.datetime.fromisoformat(line["purchased_at"])


@pytest.mark.parametrize(
    "document",
    [
        '{"next_entity_id": 5, "next_ids": {}}',
        '{"next_entity_id": 281474976710656, "next_ids": 3}',
        "[1]",
        "{",
    ],
)
def test_a_damaged_stream_state_is_bad_input_naming_the_file(tmp_path, document):
    path = tmp_path / "state.json"
    path.write_text(document)
    with pytest.raises(BadInputError, match=r"state\.json"):
        progress.load(path)


@pytest.mark.parametrize("text", ["0", "-5", "nan", "inf", "fast", "1e99"])
def test_a_bad_rate_names_what_is_allowed(text):
    with pytest.raises(BadInputError, match="or max"):
        control.parse_rate(text)


def test_metrics_are_prometheus_text():
    metrics = Metrics()
    metrics.count("events", "clickstream", 12)
    metrics.count("sink_errors", "delivery")
    metrics.target_rate = UNLIMITED
    text = metrics.text()
    assert 'gensample_stream_events_total{dataset="clickstream"} 12\n' in text
    assert 'gensample_stream_sink_errors_total{kind="delivery"} 1\n' in text
    assert "gensample_stream_target_rate +Inf\n" in text
    assert all(line.startswith("#") or len(line.split(" ")) == 2 for line in text.splitlines())


# ---- real stream processes ----


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def run_dir(run_dir: Path) -> Path:
    """A run directory with the default settings file."""
    (run_dir / "gensample.toml").write_text("")
    return run_dir


@contextlib.contextmanager
def stream_process(run_dir: Path, *arguments: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """A running ``gensample stream`` with a control endpoint; killed if the test fails."""
    port = free_port()
    command = [sys.executable, "-m", "gensample", "stream", "--dir", str(run_dir)]
    command += ["--control", f"127.0.0.1:{port}", *arguments]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        answer = wait_for(
            lambda: request(base, "GET", "/rate") or process.poll() is not None, "the endpoint"
        )
        assert answer is not True, process.communicate()[1]
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def request(base: str, method: str, path: str, body: bytes | None = None) -> str | None:
    """The answer's text; None when nothing answers."""
    try:
        with urllib.request.urlopen(urllib.request.Request(base + path, body, method=method)) as r:
            return r.read().decode()
    except urllib.error.HTTPError as error:
        return f"{error.code} {error.read().decode()}"
    except OSError:
        return None


def wait_for(condition, what: str, seconds: float = 20.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if found := condition():
            return found
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds} s for {what}")


def events(base: str) -> dict[str, int]:
    text = request(base, "GET", "/metrics")
    prefix = 'gensample_stream_events_total{dataset="'
    return {
        line[len(prefix) :].split('"')[0]: int(line.split()[-1])
        for line in text.splitlines()
        if line.startswith(prefix)
    }


def stop(process: subprocess.Popen) -> None:
    """Send SIGTERM; check the stream ends with exit 0."""
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors


def files_of(run_dir: Path, folder: str) -> dict[str, pa.Table]:
    """Every rolled file of each dataset (or truth) under stream/<folder>/, read whole."""
    tables = {}
    for directory in sorted((run_dir / "stream" / folder).iterdir()):
        parts = [read_csv(path) for path in sorted(directory.glob("*.csv"))]
        tables[directory.name] = pa.concat_tables(parts)
    return tables


def test_a_stream_obeys_its_controls_and_stops_complete(run_dir):
    run_day(run_dir, customers=50)  # the day's reference data, for the foreign keys
    with stream_process(
        run_dir, "--rate", "3000", "--roll-seconds", "0.3", "--datasets", ",".join(EVENTS)
    ) as (process, base):
        wait_for(lambda: events(base).get("pos_transactions"), "events")
        changed = json.loads(request(base, "PUT", "/rate", b"6000"))
        assert changed["rate"] == 6000 and not changed["paused"]
        assert request(base, "PUT", "/rate", b"fast").startswith("400 ")
        assert json.loads(request(base, "GET", "/rate"))["rate"] == 6000
        wait_for(lambda: events(base).get("clickstream"), "clickstream")
        assert json.loads(request(base, "POST", "/pause"))["paused"]
        time.sleep(0.3)
        paused = events(base)
        time.sleep(0.5)
        assert events(base) == paused
        request(base, "POST", "/resume")
        wait_for(lambda: sum(events(base).values()) > sum(paused.values()), "more events")
        request(base, "POST", "/pause")
        time.sleep(0.3)
        counted = events(base)
        stop(process)
    stream = run_dir / "stream"
    assert not [p for p in stream.rglob("*") if ".tmp-" in p.name]
    data = files_of(run_dir, "data")
    assert {name: table.num_rows for name, table in data.items()} == counted
    check_keys_and_truth(run_dir, data)
    first_ids = {
        name: pc.max(table[table.column_names[0]].cast(pa.int64())).as_py()
        for name, table in data.items()
    }

    with stream_process(run_dir, "--rate", "20000", "--datasets", ",".join(EVENTS)) as (
        process,
        base,
    ):
        wait_for(lambda: len(events(base)) == len(counted), "events of every dataset")
        stop(process)
    again = files_of(run_dir, "data")
    for name, table in again.items():
        ids = table[table.column_names[0]].cast(pa.int64()).to_numpy()
        newer = ids[ids > first_ids[name]]
        assert len(newer) > 0 and len(newer) == table.num_rows - counted[name]
    check_keys_and_truth(run_dir, again)


def check_keys_and_truth(run_dir: Path, data: dict[str, pa.Table]) -> None:
    """Primary keys unique, foreign keys resolve, every identity record has one truth row."""
    day = run_dir / "out" / DAY.isoformat() / "data"
    stores = set(read_csv(day / "stores.csv")["store_id"].to_pylist())
    skus = set(read_csv(day / "products.csv")["sku"].to_pylist())
    lines = data["pos_transactions"]
    keys = pc.binary_join_element_wise(lines["basket_id"], lines["line_number"], ":")
    assert pc.count_distinct(keys).as_py() == lines.num_rows
    for name in ("customers", "pos_customers", "clickstream"):
        assert pc.count_distinct(data[name][0]).as_py() == data[name].num_rows
    assert set(lines["store_id"].to_pylist()) <= stores
    assert set(lines["sku"].to_pylist()) <= skus
    shoppers = set(data["pos_customers"]["pos_customer_id"].to_pylist())
    assert set(lines["pos_customer_id"].to_pylist()) - {""} <= shoppers
    assert set(data["pos_customers"]["home_store_id"].to_pylist()) <= stores
    accounts = set(data["customers"]["customer_id"].to_pylist())
    assert set(data["clickstream"]["customer_id"].to_pylist()) - {""} <= accounts
    truth = files_of(run_dir, "truth")
    people = set(truth["entities"]["entity_id"].to_pylist())
    for name in ("customers", "pos_customers"):
        assert sorted(truth[name]["record_id"].to_pylist()) == sorted(data[name][0].to_pylist())
        assert set(truth[name]["entity_id"].to_pylist()) <= people
        assert "duplicate" in truth[name]["kind"].to_pylist()


def test_stdout_sends_json_lines_and_keeps_truth_in_files(run_dir):
    command = [sys.executable, "-m", "gensample", "stream", "--dir", str(run_dir)]
    command += ["--sink", "stdout", "--rate", "20000", "--datasets", "clickstream"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = []  # until both datasets have come (a micro-batch sends people first)
        while len(first) < 200_000 and not (first and '"clickstream"' in first[-1]):
            first.append(process.stdout.readline())
        process.send_signal(signal.SIGTERM)
        rest = process.stdout.read()  # every line written before the stop is whole
        assert process.wait(timeout=30) == 0, process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
    lines = [json.loads(line) for line in [*first, *rest.splitlines()]]
    sent = [
        dt.datetime.fromisoformat(line["record"]["updated_at"])
        for line in lines
        if line["dataset"] == "customers"
    ]
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    assert max(sent) <= now + dt.timedelta(seconds=5)  # real time (a batch is made just ahead)
    assert {line["dataset"] for line in lines} == {"customers", "clickstream"}
    assert all("entity_id" not in line["record"] for line in lines)
    assert list((run_dir / "stream" / "truth" / "customers").glob("*.csv"))


@pytest.mark.parametrize(
    "arguments",
    [["--rate", "0"], ["--datasets", "stores"], ["--duration", "soon"], ["--sink", "kafka"]],
)
def test_bad_stream_arguments_are_exit_2(run_dir, arguments):
    result = gensample_command("stream", "--dir", str(run_dir), *arguments)
    assert result.returncode == 2, result.stderr
    assert not (run_dir / "stream").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--sink", "stdout", "--format", "parquet"], "--format applies to --sink files only"),
        (["--sink", "stdout", "--roll-rows", "9"], "--roll-rows applies to --sink files only"),
        (
            ["--bootstrap", "localhost:9092"],
            "--bootstrap applies to --sink kafka only, not --sink files",
        ),
        (["--topic-prefix", "demo."], "--topic-prefix applies to --sink kafka only"),
        (["--roll-rows", "0"], "--roll-rows 0 is not allowed: expected a number above 0"),
        (["--datasets", ","], "--datasets ',' is not allowed: expected some of customers"),
    ],
)
def test_a_flag_the_stream_would_ignore_is_refused(run_dir, arguments, message, caplog):
    assert main(["stream", "--dir", str(run_dir), *arguments]) == 2
    assert message in caplog.text
    assert not (run_dir / "stream").exists()


def test_a_control_address_it_cannot_listen_at_is_exit_2_naming_it(run_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = gensample_command("stream", "--dir", str(run_dir), "--control", str(port))
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[-1].endswith(
        f"--control 127.0.0.1:{port} is not allowed: cannot listen there (Address already in "
        "use); expected a free port at an address of this machine"
    )
    assert not (run_dir / "stream" / "data").exists()  # nothing sent


def test_kafka_out_of_reach_is_said_once_then_named_when_the_stream_stops(
    run_dir, monkeypatch, capfd, caplog
):
    pytest.importorskip("confluent_kafka")  # in the test extra: never skipped in CI
    monkeypatch.setattr(sinks, "FLUSH_SECONDS", 1.0)
    with socket.socket() as closed:  # a port nothing listens at
        closed.bind(("127.0.0.1", 0))
        bootstrap = f"127.0.0.1:{closed.getsockname()[1]}"
    options = engine.Options(
        datasets=("pos_transactions",), rate=200, sink="kafka", duration=1.0, bootstrap=bootstrap
    )
    confirmed = rf"Kafka at {bootstrap} did not confirm \d+ messages within 1 s \(last error: "
    with pytest.raises(RunError, match=confirmed):
        engine.run(run_dir, Settings(), options)
    assert capfd.readouterr().err == ""  # librdkafka's retries are not written there
    assert caplog.text.count("retrying") == 1


def test_kafka_round_trip_through_the_mock_cluster(run_dir):
    kafka = pytest.importorskip("confluent_kafka")
    from confluent_kafka.admin import AdminClient

    cluster = AdminClient({"test.mock.num.brokers": 1})  # the mock cluster lives as long as it
    brokers = cluster.list_topics(timeout=10).brokers.values()
    bootstrap = ",".join(f"{broker.host}:{broker.port}" for broker in brokers)
    options = engine.Options(
        datasets=("pos_transactions",),
        rate=4000,
        sink="kafka",
        duration=1.0,
        bootstrap=bootstrap,
        topic_prefix="demo.",
    )
    metrics = engine.run(run_dir, Settings(), options)
    assert not metrics.sink_errors
    consumer = kafka.Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "test", "auto.offset.reset": "earliest"}
    )
    try:
        consumer.subscribe(
            ["demo.pos_customers", "demo.pos_transactions", "demo.truth_pos_customers"]
        )
        received: dict[str, list] = {}
        expected = metrics.events.total() + metrics.delivered["truth/pos_customers"]
        deadline = time.monotonic() + 30
        while sum(map(len, received.values())) < expected and time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is not None and not message.error():
                received.setdefault(message.topic(), []).append(message)
    finally:
        consumer.close()
    for name in ("pos_customers", "pos_transactions"):
        assert len(received[f"demo.{name}"]) == metrics.events[name] == metrics.delivered[name]
    lines = [(m.key(), json.loads(m.value())) for m in received["demo.pos_transactions"]]
    assert all(key == str(line["basket_id"]).encode() for key, line in lines)
    shoppers = [json.loads(m.value())["pos_customer_id"] for m in received["demo.pos_customers"]]
    assert len(set(shoppers)) == len(shoppers)
    assert {line["pos_customer_id"] for _, line in lines} - {None} <= set(shoppers)
    truth = [json.loads(m.value())["record_id"] for m in received["demo.truth_pos_customers"]]
    assert sorted(truth) == sorted(shoppers)


@pytest.mark.parametrize("file_format", ["jsonl", "parquet"])
def test_rolled_files_of_every_format_hold_exactly_what_was_counted(run_dir, file_format):
    options = engine.Options(
        datasets=("pos_transactions",), rate=5000, format=file_format, roll_rows=300,
        duration=3,
    )  # fmt: skip
    metrics = engine.run(run_dir, Settings(), options)
    folder = run_dir / "stream" / "data" / "pos_transactions"
    files = sorted(folder.glob(f"*.{file_format}"))
    assert len(files) == metrics.files["pos_transactions"] > 1
    if file_format == "parquet":
        import pyarrow.parquet as pq

        rows = [pq.read_table(path).num_rows for path in files]
    else:
        rows = [len([json.loads(line) for line in path.open()]) for path in files]
    assert sum(rows) == metrics.events["pos_transactions"]
    assert sum(path.stat().st_size for path in files) == metrics.bytes["pos_transactions"]
    assert not list(folder.glob(".*"))


def test_closed_files_are_uploaded_to_s3_as_they_roll(run_dir, monkeypatch, tmp_path):
    boto3 = pytest.importorskip("boto3")
    import publishing_servers as servers

    from gensample.settings.publish import PublishSettings

    s3_environment(monkeypatch, tmp_path)
    with servers.moto_s3() as endpoint:
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        s3.create_bucket(Bucket="live")
        publish = PublishSettings(
            s3_bucket="live", s3_prefix="demo/", endpoint_url=endpoint, region="us-east-1"
        )
        options = engine.Options(
            datasets=("clickstream",), rate=20_000, roll_rows=3000, duration=1.5
        )
        metrics = engine.run(run_dir, Settings(publish=publish), options)
        listed = s3.list_objects_v2(Bucket="live").get("Contents", [])
        keys = {entry["Key"] for entry in listed}
        local = {
            f"demo/stream/{path.relative_to(run_dir / 'stream').as_posix()}": path
            for path in (run_dir / "stream" / "data").rglob("*.csv")
        }
        assert keys == set(local) and metrics.delivered["s3"] == len(local) > 1
        for key, path in local.items():
            assert s3.get_object(Bucket="live", Key=key)["Body"].read() == path.read_bytes()


def test_files_left_unsent_by_an_outage_are_sent_by_the_next_stream(run_dir, monkeypatch, tmp_path):
    pytest.importorskip("boto3")
    import publishing_servers as servers

    from gensample.settings.publish import PublishSettings
    from gensample.stream import uploads

    s3_environment(monkeypatch, tmp_path)
    monkeypatch.setattr(uploads, "RETRY_DELAYS", (0.05,))
    monkeypatch.setattr(uploads, "DRAIN_SECONDS", 0.5)
    options = engine.Options(datasets=("clickstream",), rate=20_000, roll_rows=3000, duration=1)
    with servers.moto_s3() as endpoint:
        publish = PublishSettings(
            s3_bucket="later", s3_prefix="", endpoint_url=endpoint, region="us-east-1"
        )
        outage = engine.run(run_dir, Settings(publish=publish), options)  # no bucket yet
        assert outage.sink_errors["upload"] > 0 and not outage.delivered.get("s3")
        first = set((run_dir / "stream" / "data").rglob("*.csv"))
        boto3 = pytest.importorskip("boto3")
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        s3.create_bucket(Bucket="later")
        engine.run(run_dir, Settings(publish=publish), options)
        keys = {entry["Key"] for entry in s3.list_objects_v2(Bucket="later")["Contents"]}
    every = set((run_dir / "stream" / "data").rglob("*.csv"))
    assert len(every) > len(first) > 1
    assert keys == {f"stream/{path.relative_to(run_dir / 'stream').as_posix()}" for path in every}
    ledger = (run_dir / "stream" / uploads.LEDGER).read_text().splitlines()
    assert set(ledger) == {key.removeprefix("stream/") for key in keys}


def s3_environment(monkeypatch, tmp_path: Path) -> None:
    """Test credentials for the moto server, and none of this machine's AWS settings."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIASTREAMTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.setenv(name, str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_follow_clock_shapes_the_pacer_by_the_hour():
    clock = FakeClock()
    controller = control.Controller(Pacer(1000.0, clock, clock.sleep), Metrics(), 1000.0, True)
    night, evening = dt.datetime(2026, 11, 23, 3), dt.datetime(2026, 11, 23, 18)
    controller.steer(night)
    assert controller.pacer.rate == pytest.approx(1000 * clock_factor(night))
    assert controller.pacer.rate < 100
    controller.steer(evening)
    assert controller.pacer.rate == pytest.approx(1000 * clock_factor(evening))
    assert controller.pacer.rate > 1000
    controller.set_rate(UNLIMITED)
    controller.steer(night)
    assert controller.pacer.rate == UNLIMITED


def test_a_second_stream_in_the_same_directory_is_exit_1(run_dir):
    (run_dir / "stream").mkdir()
    with lock_held_elsewhere(run_dir / "stream"):
        result = gensample_command("stream", "--dir", str(run_dir), "--duration", "1")
    assert result.returncode == 1 and "holds" in result.stderr


def test_the_stream_helper_threads_leave_stop_signals_to_the_main_thread(run_dir, monkeypatch):
    """A stop the kernel handed to a helper thread would wait there unseen while the main thread
    waits for a micro-batch: the control server, the uploads and the generation ahead block the
    stop signals."""
    pytest.importorskip("boto3")
    from gensample.settings.publish import PublishSettings
    from gensample.stream.supply import Supply
    from gensample.stream.uploads import Uploader

    s3_environment(monkeypatch, run_dir)
    publish = PublishSettings(s3_bucket="live", endpoint_url="http://127.0.0.1:9")
    settings, metrics = Settings(publish=publish), Metrics()
    server = control.serve(("127.0.0.1", 0), control.Controller(Pacer(1.0), metrics, 1.0, False))
    uploader, supply = Uploader(settings, run_dir, metrics, {}), Supply(settings, [], run_dir)
    supply.ahead(1)
    try:
        helpers = [thread for thread in threading.enumerate() if thread.name.startswith("stream")]
        assert {thread.name.split("_")[0] for thread in helpers} == {
            "stream-control",
            "stream-uploads",
            "stream-generate",
        }
        assert all(blocks_stop_signals(thread) for thread in helpers)
        assert not blocks_stop_signals(threading.main_thread())
    finally:
        supply.close()
        uploader.stop()
        server.shutdown()
        server.server_close()
