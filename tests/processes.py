"""mqttgate and gunicorn as a user starts them: separate processes, a config file, real ports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.live import free_port

BIN = Path(sys.executable).parent


class Process:
    """A started server process, its ports, and its collected output."""

    def __init__(self, args: list[str], tmp_path: Path, *, config: str = "", env: dict[str, str] | None = None,
                 http: bool = True) -> None:
        self.mqtt_port, self.http_port = free_port(), free_port()
        self.data_dir = tmp_path / "data"
        self.config_file = tmp_path / "mqttgate.yaml"
        self.config_file.write_text(
            f"data_dir: {self.data_dir}\n"
            f"mqtt:\n  listeners:\n    default: {{type: tcp, bind: '127.0.0.1:{self.mqtt_port}'}}\n"
            f"rest_api:\n  listeners:\n    - {{name: http-default, port: {self.http_port}, bind_address: 127.0.0.1}}\n"
            + config
        )
        self.log = (tmp_path / "output.log").open("w+")
        full_env = {**os.environ, "MQTTGATE_CONFIG": str(self.config_file), **(env or {})}
        self.proc = subprocess.Popen([str(a).format(http_port=self.http_port, config=self.config_file) for a in args],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=full_env, cwd=tmp_path)
        self.http = http

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/api/v5"

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def wait_ready(self, timeout: float = 20) -> Process:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if self.http:
                    if httpx.get(f"{self.url}/status", timeout=1).status_code == 200:
                        return self
                elif "running the MQTT broker only" in self.output():
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"not ready in {timeout}s:\n{self.output()}")

    def api_auth(self) -> tuple[str, str]:
        key, secret = (self.data_dir / "initial_api_key").read_text().strip().split(":")
        return key, secret

    def stop(self, sig: int, timeout: float = 5.0) -> float:
        """Send `sig`; the seconds until the process exited (fails past `timeout`)."""
        start = time.monotonic()
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"still running {timeout}s after signal {sig}:\n{self.output()}") from None
        return time.monotonic() - start

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
