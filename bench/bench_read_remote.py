"""Reading logs from object storage: requests, bytes and time per way of fetching; prints JSON.

A local S3 server (moto) holds the shared real logs (``../shared/data/logs``) and, with
``--generated N``, N larger logs from ``../shared/tools/gen_logs.py --fast``. The client
waits ``--rtt`` seconds before each request and ``bytes / --bandwidth`` after it, so the
figures stand for a store across a network rather than on localhost. Nothing leaves this
machine.

Each reader is timed (median of ``--runs``) with every object fetched whole
(``WHOLE_BYTES`` = infinity), every ``.eval`` read in ranges (``WHOLE_BYTES`` = 0), and the
default threshold; and with 16 threads against 2. The objects kept in memory are dropped
before each run.

Usage:
    .venv/bin/python bench/bench_read_remote.py
    .venv/bin/python bench/bench_read_remote.py --rtt 0.08 --bandwidth 10e6 --generated 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REAL_LOGS = ROOT.parent / "shared" / "data" / "logs"
GEN_LOGS = ROOT.parent / "shared" / "tools" / "gen_logs.py"
BUCKET = "bench-logs"


class Traffic:
    """Requests made and bytes received, with the simulated network in the way."""

    def __init__(self, rtt: float, bandwidth: float) -> None:
        self.rtt = rtt
        self.bandwidth = bandwidth
        self.requests = 0
        self.bytes = 0

    def install(self) -> None:
        from aiobotocore.endpoint import AioEndpoint

        original = AioEndpoint._send
        traffic = self

        async def send(endpoint: Any, request: Any) -> Any:
            await asyncio.sleep(traffic.rtt)
            response = await original(endpoint, request)
            # a HEAD's content-length is the object's, not what was sent
            size = (
                0 if request.method == "HEAD" else int(response.headers.get("content-length") or 0)
            )
            traffic.requests += 1
            traffic.bytes += size
            await asyncio.sleep(size / traffic.bandwidth)
            return response

        AioEndpoint._send = send  # type: ignore[method-assign]


def start_server() -> Any:
    from moto.server import ThreadedMotoServer

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE="/nonexistent",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def upload(fs: Any, generated: int, cache: Path) -> dict[str, Any]:
    fs.mkdir(BUCKET)
    real = [p for p in sorted(REAL_LOGS.rglob("*")) if p.suffix in (".eval", ".json")]
    for path in real:
        fs.pipe(f"{BUCKET}/real/{path.relative_to(REAL_LOGS).as_posix()}", path.read_bytes())
    out: dict[str, Any] = {
        "real_logs": len(real),
        "real_bytes": sum(p.stat().st_size for p in real),
    }
    if generated:
        target = cache / f"remote_generated_{generated}"
        if not any(target.glob("**/*.eval")):
            subprocess.run(
                [sys.executable, str(GEN_LOGS), "--out", str(target), "--clean", "--fast",
                 "--models", str(generated), "--tasks", "1", "--samples", "20000"],
                check=True, capture_output=True,
            )  # fmt: skip
        logs = sorted(target.rglob("*.eval"))
        for path in logs:
            fs.pipe(f"{BUCKET}/generated/{path.name}", path.read_bytes())
        out["generated_logs"] = len(logs)
        out["generated_bytes"] = sum(p.stat().st_size for p in logs)
    return out


def measure(traffic: Traffic, runs: int, func: Any) -> dict[str, Any]:
    from evallens.io import _remote

    times: list[float] = []
    requests = received = 0
    for _ in range(runs):
        _remote.clear_held()
        traffic.requests = traffic.bytes = 0
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
        requests, received = traffic.requests, traffic.bytes
    return {
        "median_s": round(statistics.median(times), 3),
        "runs_s": [round(t, 3) for t in times],
        "requests": requests,
        "mb_received": round(received / 1e6, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rtt", type=float, default=0.03, help="seconds per request")
    parser.add_argument("--bandwidth", type=float, default=50e6, help="bytes/s per connection")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--generated", type=int, default=0, help="larger generated logs")
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "evallens-bench"))
    args = parser.parse_args()

    import warnings

    server = start_server()
    import s3fs

    import evallens.io as eio
    from evallens.io import _remote

    warnings.simplefilter("ignore")
    out: dict[str, Any] = {
        "benchmark": "read_remote",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "python": platform.python_version(),
        "load_average_before": [round(v, 2) for v in os.getloadavg()],
        "network": {"rtt_s": args.rtt, "bandwidth_mb_s": args.bandwidth / 1e6},
    }
    try:
        fs = s3fs.S3FileSystem()
        out["data"] = upload(fs, args.generated, Path(args.cache))
        traffic = Traffic(args.rtt, args.bandwidth)
        traffic.install()
        prefixes = ["real"] + (["generated"] if args.generated else [])
        one = f"s3://{BUCKET}/real/control_arena/bash_tm_honest_baseline.eval"
        sample_id = eio.read_samples(REAL_LOGS / "control_arena" / "bash_tm_honest_baseline.eval")[
            "id"
        ][0]
        results: dict[str, Any] = {}
        default = _remote.WHOLE_BYTES
        for fetch, whole in (("whole", 1 << 62), ("ranged", 0), ("default", default)):
            _remote.WHOLE_BYTES = whole
            for prefix in prefixes:
                url = f"s3://{BUCKET}/{prefix}/"
                results[f"{fetch}/{prefix}/read_samples"] = measure(
                    traffic, args.runs, lambda url=url: eio.read_samples(url)
                )
                results[f"{fetch}/{prefix}/read_evals"] = measure(
                    traffic, args.runs, lambda url=url: eio.read_evals(url)
                )
            results[f"{fetch}/read_sample_2.7MB_log"] = measure(
                traffic, args.runs, lambda: eio.read_sample(one, sample_id)
            )
        _remote.WHOLE_BYTES = default
        for threads in (2, 16):
            results[f"default/real/read_samples_{threads}_threads"] = measure(
                traffic,
                args.runs,
                lambda t=threads: eio.read_samples(f"s3://{BUCKET}/real/", parallel=t),
            )
        out["results"] = results
        local = {}
        for prefix, folder in (("real", REAL_LOGS),):
            start = time.perf_counter()
            eio.read_samples(folder)
            local[f"{prefix}/read_samples_local_s"] = round(time.perf_counter() - start, 3)
        out["local"] = local
    finally:
        server.stop()
    out["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
