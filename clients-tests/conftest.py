"""A live `mqttgate serve`, and the spec as it serves it, for the generated clients' tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.processes import BIN, Process

HERE = Path(__file__).resolve().parent


@dataclass
class Served:
    """The running server: its API URL, first API key, MQTT port, and the spec fetched from it."""

    process: Process
    url: str
    key: str
    secret: str
    mqtt_port: int
    spec_json: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("served")
    process = Process([BIN / "mqttgate", "serve", "--config", "{config}"], tmp)
    try:
        process.wait_ready(timeout=90)
        spec_json = tmp / "openapi.json"
        spec_json.write_bytes(httpx.get(f"{process.url}/openapi.json", timeout=10).raise_for_status().content)
        key, secret = process.api_auth()
        yield Served(process, process.url, key, secret, process.mqtt_port, spec_json)
    finally:
        process.close()  # SIGTERM, and waits for it
