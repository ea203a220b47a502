"""A real mqttgate (uvicorn + amqtt) on free loopback ports, in a thread, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import base64
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from mqttgate.app import create_app, uvicorn_options
from mqttgate.config import Config, load_config


def gate_config(data_dir: Path, **env: str) -> Config:
    """Defaults, on loopback ports the system picks (port 0), validating responses, with `MQTTGATE_` overrides.

    The ports are bound by the server itself: a test reads them from the LiveGate, which no
    other process can take between a probe and the bind.
    """
    overrides = {
        "MQTTGATE_DATA_DIR": str(data_dir),
        "MQTTGATE_MQTT__LISTENERS__DEFAULT__BIND": "127.0.0.1:0",
        "MQTTGATE_REST_API__VALIDATE_RESPONSES": "true",
        "MQTTGATE_REST_API__LISTENERS__0__PORT": "0",
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
    http_port: int = 0
    mqtt_port: int = 0  # the `default` listener's, as bound

    @property
    def base_url(self) -> str:
        return f"http://{self.config.rest_api.listeners[0].bind_address}:{self.http_port}"

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
    http_port = server.servers[0].sockets[0].getsockname()[1]
    gate = LiveGate(config, server, thread, loops[0], httpx.Client(), key, secret, http_port=http_port)
    # the MQTT listeners as the broker bound them (`bind` is "host:port actually bound")
    listeners = httpx.get(f"{gate.base_url}/api/v5/status", timeout=10).json()["listeners"]
    gate.mqtt_port = int(next(x["bind"] for x in listeners if x["name"] == "default").rsplit(":", 1)[1])
    gate.http = httpx.Client(base_url=gate.base_url + "/api/v5", auth=(key, secret), timeout=10)
    return gate


