"""Shared by the benchmarks: servers in subprocesses, raw MQTT clients, a keep-alive HTTP load loop."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Server:
    """A server in a subprocess (`proc`), stopped by SIGTERM."""

    proc: subprocess.Popen

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class Mqttgate(_Server):
    """`mqttgate serve` in a subprocess on free loopback ports; its first API key, or `auth_header`
    (a node joining a cluster uses the cluster's keys and makes none of its own)."""

    def __init__(self, auth_header: str | None = None, **env: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="mqttgate-bench-"))
        self.mqtt_port, self.http_port = free_port(), free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mqttgate", "serve", "--data-dir", str(self.dir / "data"), "--log-level", "warning"],
            env={**os.environ, "MQTTGATE_MQTT__LISTENERS__DEFAULT__BIND": f"127.0.0.1:{self.mqtt_port}",
                 "MQTTGATE_REST_API__LISTENERS__0__PORT": str(self.http_port), **env},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            wait_http(f"http://127.0.0.1:{self.http_port}/api/v5/status", timeout=60)
        except BaseException:  # not left running
            self.proc.kill()
            self.proc.wait(10)
            raise
        if auth_header is None:
            key = (self.dir / "data" / "initial_api_key").read_text().strip()
            auth_header = "Basic " + base64.b64encode(key.encode()).decode()
        self.auth_header = auth_header


class StaticJson(_Server):
    """A bare Starlette app under uvicorn answering one path with fixed JSON: the baseline."""

    def __init__(self, path: str, body: bytes) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="baseline-"))
        (self.dir / "body.json").write_bytes(body)
        self.http_port = free_port()
        code = (
            "import json, uvicorn\n"
            "from starlette.applications import Starlette\n"
            "from starlette.responses import JSONResponse\n"
            "from starlette.routing import Route\n"
            f"data = json.loads(open({str(self.dir / 'body.json')!r}).read())\n"
            "async def page(request): return JSONResponse(data)\n"
            f"app = Starlette(routes=[Route({path!r}, page)])\n"
            f"uvicorn.run(app, host='127.0.0.1', port={self.http_port}, log_level='warning', access_log=False)\n"
        )
        self.proc = subprocess.Popen([sys.executable, "-c", code])
        wait_http(f"http://127.0.0.1:{self.http_port}{path}")


class EmptyOperation(_Server):
    """An operation that does nothing, served as mqttgate serves its API (bench/_empty_operation.py)."""

    path = "/api/v5/empty"

    def __init__(self) -> None:
        self.http_port = free_port()
        script = Path(__file__).with_name("_empty_operation.py")
        self.proc = subprocess.Popen([sys.executable, str(script), str(self.http_port)])
        wait_http(f"http://127.0.0.1:{self.http_port}{self.path}")


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


async def connect_mqtt_clients(port: int, count: int, prefix: str = "bench") -> list[asyncio.StreamWriter]:
    """`count` raw MQTT 3.1.1 clients (clean session, keepalive 0), connected and idle."""

    async def one(n: int) -> asyncio.StreamWriter:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        clientid = f"{prefix}-{n:05d}".encode()
        variable = b"\x00\x04MQTT\x04\x02\x00\x00"
        payload = len(clientid).to_bytes(2, "big") + clientid
        writer.write(bytes([0x10, len(variable) + len(payload)]) + variable + payload)
        connack = await reader.readexactly(4)
        if connack[3] != 0:
            raise RuntimeError(f"CONNACK refused: {connack!r}")
        return writer

    writers = []
    for start in range(0, count, 100):
        writers += await asyncio.gather(*(one(n) for n in range(start, min(start + 100, count))))
    return writers


async def read_response(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """One HTTP/1.1 response with a Content-Length: its status line and body."""
    length = -1
    status = b""
    while True:
        line = await reader.readline()
        if not status:
            status = line
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
        if line in (b"\r\n", b""):
            break
    return status, await reader.readexactly(length)


async def _worker(port: int, request: bytes, deadline: float, times: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            writer.write(request)
            status, _ = await read_response(reader)
            if b" 200 " not in status:
                raise RuntimeError(f"unexpected answer {status!r}")
            times.append(time.perf_counter() - start)
    finally:
        writer.close()


def load(port: int, path: str, headers: dict[str, str], seconds: float, concurrency: int) -> dict[str, float]:
    """GETs over `concurrency` keep-alive connections for `seconds`: requests/s, and the p50 and p99 in ms.

    With wrk installed (Debian's `wrk`) the load is wrk's, one thread: a loop in Python tops
    out near 6,000 requests/s, below what a bare route serves, and took the other core's time
    from the server measured. Without it, that loop here.
    """
    if shutil.which("wrk"):
        return _wrk(port, path, headers, seconds, concurrency)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode()
    times: list[float] = []

    async def run() -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(_worker(port, request, deadline, times) for _ in range(concurrency)))

    start = time.monotonic()
    asyncio.run(run())
    elapsed = time.monotonic() - start
    times.sort()
    return {"rps": len(times) / elapsed, "p50": times[len(times) // 2] * 1000,
            "p99": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000}


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _wrk(port: int, path: str, headers: dict[str, str], seconds: float, concurrency: int) -> dict[str, float]:
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                         check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"unexpected answers under load:\n{out}")

    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)$", out, re.MULTILINE).groups()
        return float(value) * _UNITS[unit]

    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": latency("50"),
            "p99": latency("99")}


def requests_per_second(port: int, path: str, headers: dict[str, str], seconds: float, concurrency: int) -> float:
    """Requests/s over `concurrency` keep-alive connections for `seconds`."""
    return load(port, path, headers, seconds, concurrency)["rps"]


class PlainAmqtt(_Server):
    """amqtt without mqttgate's adapter, with a bare listing route (bench/_plain_amqtt.py)."""

    def __init__(self) -> None:
        self.mqtt_port, self.http_port = free_port(), free_port()
        script = Path(__file__).with_name("_plain_amqtt.py")
        self.proc = subprocess.Popen([sys.executable, str(script), str(self.mqtt_port), str(self.http_port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(f"http://127.0.0.1:{self.http_port}/api/v5/clients")
        self.auth_header = ""


def latency_ms(port: int, path: str, headers: dict[str, str], count: int) -> float:
    """Median milliseconds of `count` sequential requests over one keep-alive connection."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode()

    async def run() -> list[float]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        times = []
        for _ in range(count):
            start = time.perf_counter()
            writer.write(request)
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            times.append((time.perf_counter() - start) * 1000)
        writer.close()
        return times

    return statistics.median(asyncio.run(run()))
