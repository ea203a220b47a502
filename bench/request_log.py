"""The cost of the access log: requests/s of `GET /api/v5/clients` at log level info with `log.access_log`
on (one line per request, to a file) against the same server build with it off, in the same run.

Two `mqttgate serve` processes, rounds alternating, medians reported.

    python bench/request_log.py [--seconds 5] [--rounds 3] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _load import free_port, requests_per_second, wait_http


class Serve:
    def __init__(self, access_log: bool) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="mqttgate-bench-log-"))
        self.http_port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mqttgate", "serve", "--data-dir", str(self.dir / "data"), "--log-level", "info"],
            env={**os.environ, "MQTTGATE_MQTT__LISTENERS__DEFAULT__BIND": f"127.0.0.1:{free_port()}",
                 "MQTTGATE_REST_API__LISTENERS__0__PORT": str(self.http_port),
                 "MQTTGATE_LOG__ACCESS_LOG": str(access_log).lower(), "MQTTGATE_LOG__FILE": str(self.dir / "log")},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(f"http://127.0.0.1:{self.http_port}/api/v5/status", timeout=60)
        key = (self.dir / "data" / "initial_api_key").read_text().strip()
        self.headers = {"Authorization": "Basic " + base64.b64encode(key.encode()).decode()}

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    logged, baseline = Serve(True), Serve(False)
    try:
        runs: dict[str, list[float]] = {"on": [], "off": []}
        for _ in range(args.rounds):
            for name, server in (("on", logged), ("off", baseline)):
                runs[name].append(requests_per_second(server.http_port, "/api/v5/clients", server.headers,
                                                      args.seconds, args.concurrency))
        on, off = statistics.median(runs["on"]), statistics.median(runs["off"])
        lines = sum(1 for _ in (logged.dir / "log").open()) if (logged.dir / "log").exists() else 0
        print(f"GET /clients, access log on:  {on:8.0f} req/s (median of {args.rounds}; {lines} log lines)")
        print(f"GET /clients, access log off: {off:8.0f} req/s (baseline)")
        print(f"ratio on/off: {on / off:.2f}")
    finally:
        logged.stop()
        baseline.stop()


if __name__ == "__main__":
    main()
