"""A real mqttgate (uvicorn + amqtt) on free loopback ports, in a thread, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from mqttgate.app import create_app, uvicorn_options
from mqttgate.config import Config, load_config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gate_config(data_dir: Path, **env: str) -> Config:
    """Defaults, on free loopback ports, validating responses, with `MQTTGATE_`-style overrides."""
    overrides = {
        "MQTTGATE_DATA_DIR": str(data_dir),
        "MQTTGATE_MQTT__LISTENERS__DEFAULT__BIND": f"127.0.0.1:{free_port()}",
        "MQTTGATE_REST_API__VALIDATE_RESPONSES": "true",
        "MQTTGATE_REST_API__LISTENERS__0__PORT": str(free_port()),
        **env,
    }
    return load_config(None, overrides)


@dataclass
class LiveGate:
    """A running mqttgate; `http` is a client with the first API key's credentials."""

    config: Config
    server: uvicorn.Server = field(repr=False)
    thread: threading.Thread = field(repr=False)
    loop: asyncio.AbstractEventLoop = field(repr=False)
    http: httpx.Client = field(repr=False)
    api_key: str = ""
    api_secret: str = ""

    @property
    def mqtt_port(self) -> int:
        return int(self.config.mqtt.listeners["default"].bind.rsplit(":", 1)[1])

    @property
    def base_url(self) -> str:
        listener = self.config.rest_api.listeners[0]
        return f"http://{listener.bind_address}:{listener.port}"

    @property
    def auth_header(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.api_key}:{self.api_secret}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    @property
    def app(self) -> Any:
        return self.server.config.app

    def run(self, coro: Any, timeout: float = 10) -> Any:
        """Run a coroutine on the broker's loop (where amqtt's state lives)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(15)


def start_gate(config: Config, timeout: float = 15, credentials: tuple[str, str] | None = None) -> LiveGate:
    """Start mqttgate; its `http` client uses `credentials`, else the first API key it generated."""
    server = uvicorn.Server(uvicorn.Config(
        create_app(config), host=config.rest_api.listeners[0].bind_address, port=config.rest_api.listeners[0].port,
        lifespan="on", log_level="warning", timeout_graceful_shutdown=2, **uvicorn_options(config),
    ))
    loops: list[asyncio.AbstractEventLoop] = []

    def serve() -> None:
        loop = asyncio.new_event_loop()
        loops.append(loop)
        loop.run_until_complete(server.serve())
        loop.close()

    thread = threading.Thread(target=serve, name="mqttgate", daemon=True)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("mqttgate did not start")
        time.sleep(0.02)
    key, secret = credentials or (Path(config.data_dir) / "initial_api_key").read_text().strip().split(":")
    gate = LiveGate(config, server, thread, loops[0], httpx.Client(), key, secret)
    gate.http = httpx.Client(base_url=gate.base_url + "/api/v5", auth=(key, secret), timeout=10)
    return gate


