"""mqttgate and gunicorn as a user starts them: separate processes, a config file, real ports."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

BIN = Path(sys.executable).parent
SERVE = [BIN / "mqttgate", "serve", "--config", "{config}"]
GUNICORN = [BIN / "gunicorn", "-k", "mqttgate.worker.MqttgateWorker", "-w", "1", "-b", "127.0.0.1:{http_port}",
            "mqttgate.app:create_app()"]

# where `mqttgate serve` and gunicorn say which port they bound
_BOUND = re.compile(r"(?:REST API listener \S+ on|Listening at:) http://127\.0\.0\.1:(\d+)")


def free_port() -> int:
    """A port free now (bound and released): only where the server cannot report the one it binds."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A started server process, its ports, and its collected output.

    The server binds port 0 and reports the ports it got: in its log (`port(name)`, any listener
    of `mqttgate serve`; gunicorn's HTTP one) and in GET /status. `mqtt_port` and `http_port`
    are known once `wait_ready` returns.
    """

    def __init__(self, args: list[str], tmp_path: Path, *, config: str = "", env: dict[str, str] | None = None,
                 http: bool = True, log_file: Path | None = None) -> None:
        self.mqtt_port = self.http_port = 0
        self.data_dir = tmp_path / "data"
        self.config_file = tmp_path / "mqttgate.yaml"
        self.config_file.write_text(
            f"data_dir: {self.data_dir}\n"
            "mqtt:\n  listeners:\n    default: {type: tcp, bind: '127.0.0.1:0'}\n"
            f"rest_api:\n  listeners:\n    - {{name: http-default, port: 0, bind_address: 127.0.0.1}}\n"
            + config
        )
        self.log = (tmp_path / "output.log").open("w+")
        full_env = {**os.environ, "MQTTGATE_CONFIG": str(self.config_file), **(env or {})}
        self.proc = subprocess.Popen([str(a).format(http_port=0, config=self.config_file) for a in args],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=full_env, cwd=tmp_path)
        self.http = http
        self.log_file = log_file  # where the server logs, if not to its output

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/api/v5"

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def wait_ready(self, timeout: float = 60) -> Process:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if not self.http:
                    if "running the MQTT broker only" in self.output():
                        self.mqtt_port = self.port("default")
                        return self
                elif not self.http_port:
                    bound = _BOUND.search(self._logged())
                    self.http_port = int(bound[1]) if bound else 0
                else:
                    status = httpx.get(f"{self.url}/status", timeout=1)
                    if status.status_code == 200:
                        bind = next(x["bind"] for x in status.json()["listeners"] if x["name"] == "default")
                        self.mqtt_port = int(bind.rsplit(":", 1)[1])
                        return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"not ready in {timeout}s:\n{self.output()}")

    def port(self, listener: str) -> int:
        """The port an MQTT or REST listener bound, as the server logged it once it listened."""
        found = re.search(rf"(?:MQTT listener {re.escape(listener)} \(\w+\)|REST API listener {re.escape(listener)}) "
                          r"on (?:https?://)?[^\s]+:(\d+)", self._logged())
        if found is None:
            raise AssertionError(f"listener {listener!r} not in the log:\n{self._logged()}")
        return int(found[1])

    def _logged(self) -> str:
        extra = self.log_file.read_text() if self.log_file and self.log_file.exists() else ""
        return self.output() + extra

    def api_auth(self) -> tuple[str, str]:
        key, secret = (self.data_dir / "initial_api_key").read_text().strip().split(":")
        return key, secret

    def descendants(self) -> list[psutil.Process]:
        """The processes it started (gunicorn's workers), while it runs."""
        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def stop(self, sig: int, timeout: float = 5.0) -> float:
        """Send `sig`; the seconds until the process and all it started exited (fails past `timeout`)."""
        start = time.monotonic()
        started = self.descendants()  # before the signal: once the master is gone they are orphans
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._kill(started)
            raise AssertionError(f"still running {timeout}s after signal {sig}:\n{self.output()}") from None
        _, alive = psutil.wait_procs(started, timeout=max(0.1, timeout - (time.monotonic() - start)))
        if alive:
            self._kill(alive)
            raise AssertionError(f"{[p.pid for p in alive]} outlived their parent by {timeout}s after signal {sig}")
        return time.monotonic() - start

    def close(self) -> None:
        """Stop it as an operator would (SIGTERM; gunicorn's master then stops its workers) and wait for all."""
        try:
            if self.proc.poll() is None:
                self.stop(signal.SIGTERM, timeout=20)
        finally:
            self.log.close()

    def _kill(self, others: list[psutil.Process]) -> None:
        for process in [*others]:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        psutil.wait_procs(others, timeout=5)
