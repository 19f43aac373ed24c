"""Logs in object storage: every reader on s3:// URLs, against a local S3 server (moto).

The oracle is the same reader on the same files on disk: a frame read from
``s3://bucket/prefix/`` equals the one read from the local folder, row for row, but for
the ``log`` column, which names the URL. Nothing leaves this machine: the server listens
on localhost, credentials are fake, and any connection elsewhere fails the test.
"""

from __future__ import annotations

import importlib
import ipaddress
import logging
import re
import socket
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest_io import LOGS_DIR, logs_dir

import evallens.io as eio
from evallens.errors import UnknownNameError
from evallens.io import _remote

moto_server = pytest.importorskip("moto.server")
s3fs = pytest.importorskip("s3fs")

BUCKET = "evallens-logs"


# -- the server, and nothing but the server ------------------------------------------------


def _loopback(host: object) -> bool:
    if host in ("localhost", None):
        return True
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return False


class _Requests(logging.Handler):
    """The server's own log of requests: ``(method, path, status)``."""

    line = re.compile(r'"(\w+) (\S+) HTTP/[\d.]+" (\d+)')

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = re.sub(r"\x1b\[[0-9;]*m", "", record.getMessage())  # werkzeug colours some
        match = self.line.search(text)
        if match:
            self.seen.append((match.group(1), match.group(2), int(match.group(3))))

    def gets(self, key_part: str = "") -> list[tuple[str, str, int]]:
        """Object reads (not listings) whose key contains ``key_part``."""
        return [
            r for r in self.seen if r[0] == "GET" and "list-type" not in r[1] and key_part in r[1]
        ]


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, _Requests]]:
    """A moto S3 server on a free localhost port, with fake credentials in the environment."""
    with pytest.MonkeyPatch.context() as mp:
        real_getaddrinfo = socket.getaddrinfo
        real_connect = socket.socket.connect

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if not _loopback(host):
                raise OSError(f"test tried to reach {host}: only the local server is allowed")
            return real_getaddrinfo(host, *args, **kwargs)

        def connect(self: socket.socket, address: Any) -> Any:
            if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
                raise OSError(f"test tried to connect to {address}")
            return real_connect(self, address)

        mp.setattr(socket, "getaddrinfo", getaddrinfo)
        mp.setattr(socket.socket, "connect", connect)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
            mp.delenv(name, raising=False)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        endpoint = f"http://127.0.0.1:{port}"
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        mp.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
        mp.setenv("AWS_ENDPOINT_URL", endpoint)
        requests = _Requests()
        werkzeug = logging.getLogger("werkzeug")
        werkzeug.addHandler(requests)
        level = werkzeug.level
        werkzeug.setLevel(logging.INFO)
        running = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        running.start()
        s3fs.S3FileSystem.clear_instance_cache()
        try:
            yield endpoint, requests
        finally:
            running.stop()
            werkzeug.removeHandler(requests)
            werkzeug.setLevel(level)
            s3fs.S3FileSystem.clear_instance_cache()
            _remote.clear_held()


@pytest.fixture(scope="module")
def store(server: tuple[str, _Requests]) -> Any:
    """The bucket, with the shared real logs under ``real/`` (every file, as on disk)."""
    fs = s3fs.S3FileSystem()
    fs.mkdir(BUCKET)
    if LOGS_DIR.is_dir():
        for path in sorted(LOGS_DIR.rglob("*")):
            if path.is_file():
                fs.pipe(f"{BUCKET}/real/{path.relative_to(LOGS_DIR).as_posix()}", path.read_bytes())
    return fs


@pytest.fixture
def requests(server: tuple[str, _Requests]) -> _Requests:
    server[1].seen.clear()
    return server[1]


@pytest.fixture(params=["whole", "ranged"])
def fetch(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every object fetched whole (as small ones are), or every log read in ranges (large)."""
    monkeypatch.setattr(_remote, "WHOLE_BYTES", 0 if request.param == "ranged" else 1 << 62)
    _remote.clear_held()
    return str(request.param)


def _url_of(local: str) -> str:
    return f"s3://{BUCKET}/real/{Path(local).relative_to(LOGS_DIR.resolve()).as_posix()}"


def _as_urls(frame: pl.DataFrame) -> pl.DataFrame:
    """The local frame with its ``log`` column as the URLs of the same files."""
    return frame.with_columns(pl.col("log").map_elements(_url_of, return_dtype=pl.String))


def _read(func: Any, *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = func(*args, **kwargs)
    return result, [str(w.message) for w in caught]


def _local_warnings_as_urls(messages: list[str]) -> list[str]:
    root = str(LOGS_DIR.resolve())
    return [
        re.sub(re.escape(root) + r"/(\S+)", lambda m: f"s3://{BUCKET}/real/{m.group(1)}", m)
        for m in messages
    ]


# -- every reader equals itself on disk ---------------------------------------------------


def test_read_samples_from_a_prefix_equals_the_local_folder(store: Any, fetch: str) -> None:
    local, local_warnings = _read(eio.read_samples, logs_dir().resolve())
    remote, remote_warnings = _read(eio.read_samples, f"s3://{BUCKET}/real/")
    assert remote.height == local.height > 0
    assert remote.columns == local.columns
    assert remote.schema == local.schema
    assert remote.equals(_as_urls(local))
    assert remote.get_column("log").str.starts_with(f"s3://{BUCKET}/real/").all()
    # the same duplicates and bad files reported, by URL
    assert local_warnings
    assert remote_warnings == _local_warnings_as_urls(local_warnings)


def test_nothing_but_the_local_server_is_reached(server: tuple[str, _Requests]) -> None:
    with pytest.raises(OSError, match="only the local server"):
        socket.getaddrinfo("s3.amazonaws.com", 443)
    with socket.socket() as outside, pytest.raises(OSError, match="connect to"):
        outside.connect(("52.216.0.1", 443))


def test_read_evals_and_viewer_config_equal_the_local_folder(store: Any, fetch: str) -> None:
    local, local_warnings = _read(eio.read_evals, logs_dir().resolve())
    remote, remote_warnings = _read(eio.read_evals, f"s3://{BUCKET}/real")
    assert remote.height == local.height > 0
    assert remote.equals(_as_urls(local))
    assert remote_warnings == _local_warnings_as_urls(local_warnings)
    assert eio.read_viewer_config(f"s3://{BUCKET}/real/") == eio.read_viewer_config(logs_dir())


def test_read_messages_and_read_sample_of_one_log(store: Any, fetch: str) -> None:
    path = logs_dir() / "inspect_ai_tests" / "log_message_deduplication.eval"
    url = _url_of(str(path.resolve()))
    for which in ("events", "sample"):
        local = eio.read_messages(path, messages=which)
        remote = eio.read_messages(url, messages=which)
        assert remote.height == local.height > 0
        assert remote.equals(local.with_columns(pl.lit(url).alias("log")))
    samples = eio.read_samples(path)
    for sample_id, epoch in samples.select("id", "epoch").rows()[:3]:
        assert eio.read_sample(url, sample_id, epoch) == eio.read_sample(path, sample_id, epoch)


def test_read_sample_of_a_json_log(store: Any, fetch: str) -> None:
    path = logs_dir() / "inspect_ai_tests" / "2025-05-12T20-28-13-04-00_popularity.json"
    url = _url_of(str(path.resolve()))
    sample_id, epoch = eio.read_samples(path).select("id", "epoch").row(-1)
    assert eio.read_sample(url, sample_id, epoch) == eio.read_sample(path, sample_id, epoch)
    with pytest.raises(UnknownNameError, match="sample id"):
        eio.read_sample(url, "no such sample")


def test_a_large_log_is_read_in_ranges(store: Any, requests: _Requests, fetch: str) -> None:
    """Above WHOLE_BYTES an .eval is opened seekable and read in ranges; below, in one GET."""
    path = logs_dir() / "control_arena" / "bash_tm_honest_baseline.eval"
    url = _url_of(str(path.resolve()))
    sample_id = eio.read_samples(path).get_column("id")[0]
    eio.read_samples(url)
    on_read = len(requests.gets(path.name))
    requests.seen.clear()
    eio.read_evals(url)
    eio.read_sample(url, sample_id)
    after = len(requests.gets(path.name))
    if fetch == "whole":
        assert (on_read, after) == (1, 0)  # kept in memory while it is unchanged
    else:
        # the zip's tail, then the header and summaries: never the whole 2.7 MB at once
        assert 1 <= on_read <= 3
        assert 1 <= after <= 4
    assert {status for _, _, status in requests.gets(path.name)} <= {206}


# -- errors -------------------------------------------------------------------------------


def _real_log(name: str) -> bytes:
    return (logs_dir() / "inspect_ai_tests" / name).read_bytes()


@pytest.fixture(scope="module")
def mixed(store: Any) -> str:
    """Two good logs beside a corrupt one and a truncated one."""
    good = _real_log("2025-02-11T15-17-00-05-00_popularity_dPiJifoWeEQBrfWsAopzWr.eval")
    store.pipe(f"{BUCKET}/mixed/good.eval", good)
    store.pipe(f"{BUCKET}/mixed/deeper/other.eval", _real_log("mmlu-summary-choices.eval"))
    store.pipe(f"{BUCKET}/mixed/broken.eval", b"this is not a zip file")
    store.pipe(f"{BUCKET}/mixed/truncated.eval", good[: len(good) // 2])
    return f"s3://{BUCKET}/mixed/"


def test_a_corrupt_object_is_named_by_its_url_and_the_good_ones_load(mixed: str) -> None:
    with pytest.warns(eio.LogReadWarning) as caught:
        frame = eio.read_samples(mixed)
    message = "\n".join(str(w.message) for w in caught)
    assert "skipped 2 log files" in message
    assert f"{mixed}broken.eval: not a readable .eval zip" in message
    assert f"{mixed}truncated.eval:" in message
    assert set(frame.get_column("log").unique()) == {
        f"{mixed}good.eval",
        f"{mixed}deeper/other.eval",
    }
    local = eio.read_samples(
        [
            logs_dir() / "inspect_ai_tests" / "mmlu-summary-choices.eval",
            logs_dir()
            / "inspect_ai_tests"
            / "2025-02-11T15-17-00-05-00_popularity_dPiJifoWeEQBrfWsAopzWr.eval",
        ]
    )
    key = ["eval_id", "sample_id"]
    assert frame.drop("log").sort(key).equals(local.drop("log").sort(key))
    with pytest.warns(eio.LogReadWarning, match="broken.eval"):
        assert eio.read_evals(mixed).height == 2
    with pytest.warns(eio.LogReadWarning, match="broken.eval"):
        assert eio.read_messages(mixed).height > 0
    with pytest.raises(eio.LogReadError) as raised:
        eio.read_samples(mixed, errors="raise")
    assert raised.value.path.startswith(mixed)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert eio.read_samples(mixed, errors="skip").height == frame.height


def test_an_object_removed_after_listing_is_reported_and_the_rest_load(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evallens.io import _read

    prefix = f"{BUCKET}/vanishing"
    store.pipe(f"{prefix}/stays.eval", _real_log("mmlu-summary-choices.eval"))
    store.pipe(f"{prefix}/goes.eval", _real_log("log_message_deduplication.eval"))
    listed = _read.list_url

    def list_then_remove(*args: Any) -> Any:
        listing = listed(*args)
        store.rm(f"{prefix}/goes.eval")
        return listing

    monkeypatch.setattr(_read, "list_url", list_then_remove)
    _remote.clear_held()
    with pytest.warns(
        eio.LogReadWarning, match=rf"s3://{prefix}/goes.eval: no longer in the store"
    ):
        frame = eio.read_samples(f"s3://{prefix}/")
    assert set(frame.get_column("log")) == {f"s3://{prefix}/stays.eval"}


def test_missing_bucket_prefix_or_object_names_the_url(store: Any) -> None:
    for url in (
        "s3://no-such-bucket-here/logs/",
        f"s3://{BUCKET}/no/such/prefix/",
        f"s3://{BUCKET}/no/such/log.eval",
    ):
        with pytest.raises(FileNotFoundError, match=re.escape(url)):
            eio.read_samples(url)
    with pytest.raises(FileNotFoundError, match=r"no/such/log\.eval"):
        eio.read_sample(f"s3://{BUCKET}/no/such/log.eval", 1)


def test_a_prefix_without_logs_warns_and_gives_no_rows(store: Any) -> None:
    store.pipe(f"{BUCKET}/notes/README.md", b"# not a log")
    store.pipe(f"{BUCKET}/notes/listing.json", b'[{"name": "not a log"}]')
    with pytest.warns(
        eio.LogReadWarning, match=f"no .eval or .json Inspect logs in s3://{BUCKET}/notes/"
    ):
        frame = eio.read_samples(f"s3://{BUCKET}/notes/")
    assert frame.height == 0
    with pytest.raises(ValueError, match="not a log"):
        eio.read_samples(f"s3://{BUCKET}/notes/README.md")


def test_missing_credentials_say_so_naming_the_url(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    s3fs.S3FileSystem.clear_instance_cache()
    try:
        with pytest.raises(PermissionError, match=rf"s3://{BUCKET}/real/: no credentials"):
            eio.read_samples(f"s3://{BUCKET}/real/")
    finally:
        s3fs.S3FileSystem.clear_instance_cache()


def test_without_s3fs_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = importlib.import_module("fsspec.registry")  # the module, not its mapping

    monkeypatch.setitem(sys.modules, "s3fs", None)  # as if not installed
    monkeypatch.delitem(registry._registry, "s3", raising=False)  # nor imported before
    with pytest.raises(ImportError, match=r"s3://b/logs/ needs s3fs: pip install 'evallens\[s3\]'"):
        eio.read_samples("s3://b/logs/")
    monkeypatch.setitem(sys.modules, "fsspec", None)
    with pytest.raises(ImportError, match=r"needs fsspec and s3fs: pip install 'evallens\[s3\]'"):
        eio.read_evals("s3://b/logs/")


# -- caching -------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::evallens.io.LogReadWarning")
def test_scan_samples_caches_remote_logs_and_a_second_scan_fetches_nothing(
    store: Any, requests: _Requests, tmp_path: Path
) -> None:
    _remote.clear_held()
    local = eio.read_samples(logs_dir(), errors="skip")
    first = eio.scan_samples(f"s3://{BUCKET}/real/", cache_dir=tmp_path, errors="skip")
    assert first.collect().equals(_as_urls(local))
    assert requests.gets(f"/{BUCKET}/real/")  # the logs were fetched
    _remote.clear_held()  # not even the objects kept in memory help the second scan
    requests.seen.clear()
    second = eio.scan_samples(f"s3://{BUCKET}/real/", cache_dir=tmp_path, errors="skip")
    assert second.collect().equals(_as_urls(local))
    # listing the prefix (and sniffing .json files) only: no log fetched again
    assert [r for r in requests.gets(f"/{BUCKET}/real/") if r[1].endswith(".eval")] == []


def test_read_samples_again_fetches_only_the_listing(store: Any, requests: _Requests) -> None:
    _remote.clear_held()
    url = f"s3://{BUCKET}/real/inspect_flow/"
    first = eio.read_samples(url)
    fetched = len(requests.gets(".eval"))
    assert fetched == 4
    requests.seen.clear()
    assert eio.read_samples(url).equals(first)
    assert requests.gets(".eval") == []
    assert [r for r in requests.seen if "list-type" in r[1]]  # the prefix was listed again


def test_a_changed_object_is_read_again(store: Any, tmp_path: Path) -> None:
    one = _real_log("2025-02-11T15-17-00-05-00_popularity_dPiJifoWeEQBrfWsAopzWr.eval")
    two = _real_log("mmlu-summary-choices.eval")
    url = f"s3://{BUCKET}/changing/run.eval"
    store.pipe(url, one)
    before = eio.read_samples(f"s3://{BUCKET}/changing/")
    scanned = eio.scan_samples(url, cache_dir=tmp_path).collect()
    assert scanned.equals(before)
    first_id = before.get_column("id")[0]
    assert eio.read_sample(url, first_id)["id"] == first_id
    store.pipe(url, two)
    after = eio.read_samples(f"s3://{BUCKET}/changing/")
    expected = eio.read_samples(logs_dir() / "inspect_ai_tests" / "mmlu-summary-choices.eval")
    assert after.drop("log").equals(expected.drop("log"))
    assert eio.scan_samples(url, cache_dir=tmp_path).collect().equals(after)
    assert len(list(tmp_path.glob("*.parquet"))) == 2  # one per version
    new_id = expected.get_column("id")[0]
    assert eio.read_sample(url, new_id) == eio.read_sample(
        logs_dir() / "inspect_ai_tests" / "mmlu-summary-choices.eval", new_id
    )


# -- options and other protocols ----------------------------------------------------------


def test_storage_options_reach_the_store_and_stay_with_the_rows(
    store: Any, monkeypatch: pytest.MonkeyPatch, server: tuple[str, _Requests]
) -> None:
    endpoint = server[0]
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    s3fs.S3FileSystem.clear_instance_cache()
    _remote.clear_held()
    options = {"endpoint_url": endpoint, "key": "testing", "secret": "testing"}
    try:
        url = f"s3://{BUCKET}/real/inspect_flow/"
        frame = eio.read_samples(url, storage_options=options)
        assert frame.equals(
            eio.read_samples(url.replace("inspect_flow/", "inspect_flow"), storage_options=options)
        )
        # a row's log is opened with the options it was listed with (as the grid opens it)
        log, sample_id, epoch = frame.select("log", "id", "epoch").row(0)
        assert eio.read_sample(log, sample_id, epoch)["id"] == sample_id
    finally:
        s3fs.S3FileSystem.clear_instance_cache()


def test_any_fsspec_protocol_memory() -> None:
    fsspec = pytest.importorskip("fsspec")
    memory = fsspec.filesystem("memory")
    source = logs_dir() / "inspect_flow"
    for path in sorted(source.rglob("*.eval")):
        memory.pipe(f"/evallens-test/{path.relative_to(source).as_posix()}", path.read_bytes())
    try:
        remote = eio.read_samples("memory://evallens-test/")
        local = eio.read_samples(source)
        assert remote.drop("log").equals(local.drop("log"))
        assert remote.get_column("log").str.starts_with("memory:///evallens-test/").all()
    finally:
        memory.rm("/evallens-test", recursive=True)


# -- the widgets on rows read from the store -----------------------------------------------


@pytest.mark.filterwarnings("ignore::evallens.io.LogReadWarning")
def test_the_grid_searches_transcripts_and_opens_samples_from_the_store(store: Any) -> None:
    from evallens import SampleGrid, transcript_cache
    from evallens.sample.opened import read_sample_model

    folder = logs_dir() / "inspect_ai_tests"
    remote = eio.read_samples(f"s3://{BUCKET}/real/inspect_ai_tests/", errors="skip")
    local = eio.read_samples(folder, errors="skip")
    transcript_cache.clear()
    found = SampleGrid(remote).transcript_hits(r"(?i)error|the")
    expected = SampleGrid(local).transcript_hits(r"(?i)error|the")
    assert found["hits"].sum() > 0
    assert found.drop("log").equals(expected.drop("log"))
    assert found.get_column("log").to_list() == remote.get_column("log").to_list()
    log, sample_id, epoch = remote.select("log", "id", "epoch").row(0)
    opened = read_sample_model(log, sample_id, epoch)
    local_log = local.get_column("log")[0]
    assert opened.head["log"] == log
    mirror = read_sample_model(local_log, sample_id, epoch)
    assert {**opened.head, "log": None} == {**mirror.head, "log": None}
    assert opened.messages(0, 50) == mirror.messages(0, 50)


def test_a_parquet_export_in_the_store_is_read_and_scanned(store: Any, tmp_path: Path) -> None:
    frame = eio.read_samples(logs_dir() / "inspect_flow")
    local = tmp_path / "export.parquet"
    frame.write_parquet(local)
    url = f"s3://{BUCKET}/exports/samples.parquet"
    store.put(str(local), url)
    assert eio.read_samples(url).equals(eio.read_samples(local))
    assert (
        eio.scan_samples(url, cache_dir=tmp_path / "cache")
        .collect()
        .equals(eio.scan_samples(local, cache_dir=tmp_path / "cache").collect())
    )
