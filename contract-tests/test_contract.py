"""schemathesis over every operation of the spec, with every check, against the real app and broker.

Authenticated as the first API key, with `ignored_auth` among the checks, while real MQTT
clients are connected so that the client operations have data to return.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import MqttClient
from tests.live import gate_config, start_gate

SPEC = Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml"
MAX_EXAMPLES = os.environ.get("CONTRACT_MAX_EXAMPLES", "60")


@pytest.fixture(scope="module")
def gate(tmp_path_factory):
    live = start_gate(gate_config(tmp_path_factory.mktemp("contract") / "data"))
    clients = [MqttClient(live.mqtt_port, f"contract-{n}", clean_session=n % 2 == 0).connect() for n in range(3)]
    for n, client in enumerate(clients):
        client.subscribe(f"contract/{n}/+", n)
        client.subscribe("contract/all/#", 1)
    yield live
    for client in clients:
        client.close()
    live.stop()


def test_every_operation_is_in_the_served_spec(gate):
    served = gate.http.get("/openapi.json").json()
    assert served["paths"].keys() == yaml.safe_load(SPEC.read_text())["paths"].keys()


def test_schemathesis_finds_no_failure(gate, tmp_path):
    schemathesis = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    result = subprocess.run(
        [schemathesis, "run", f"{gate.base_url}/api/v5/openapi.json",
         "--checks", "all", "--auth", f"{gate.api_key}:{gate.api_secret}",
         "--max-examples", MAX_EXAMPLES, "--seed", "20261122", "--workers", "1",
         "--generation-database", "none",  # the same run every time: no replay of past finds
         "--report", "junit", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=900,
    )
    print(result.stdout[-20000:], result.stderr[-5000:])
    assert result.returncode == 0, "schemathesis found failures (see the output above)"
    assert "No issues found" in result.stdout or "passed" in result.stdout
