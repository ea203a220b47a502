"""A TypeScript client (openapi-typescript + openapi-fetch) from the served spec: tsc --strict, then run.

The npm packages are the ones package-lock.json pins, installed by `npm ci` (tox's `clients`
env does it).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import MqttClient, wait_for

HERE = Path(__file__).resolve().parent
NPX = shutil.which("npx")


def npx(*args: str, **options) -> subprocess.CompletedProcess:
    result = subprocess.run([NPX, "--no-install", *args], cwd=HERE, capture_output=True, text=True, timeout=600,
                            **options)
    assert result.returncode == 0, f"npx {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def node_modules():
    if NPX is None:
        pytest.fail("npx is not installed (the clients env needs node and npm)")
    if not (HERE / "node_modules" / ".package-lock.json").exists():
        pytest.fail(f"run `npm ci --prefix {HERE}` first (tox -e clients does)")


@pytest.mark.timeout(600)
def test_the_spec_is_clean_under_redocly_recommended_strict(node_modules):
    npx("redocly", "lint", "--config", "lint.redocly.yaml")


@pytest.mark.timeout(1200)
def test_a_typed_client_checks_under_tsc_strict_and_drives_the_server(node_modules, served):
    # request bodies' fields with a default stay optional (openapi-typescript 7 makes them required)
    npx("openapi-typescript", f"{served.url}/openapi.json", "--default-non-nullable", "false",
        "--output", "generated/mqttgate.ts")
    npx("tsc", "--strict", "-p", ".")
    mqtt = [MqttClient(served.mqtt_port, f"ts-{n}").connect() for n in range(3)]
    try:
        node = shutil.which("node")
        result = subprocess.run([node, "build/drive.js"], cwd=HERE, capture_output=True, text=True, timeout=300,
                                env={"MQTTGATE_URL": served.url, "MQTTGATE_KEY": served.key,
                                     "MQTTGATE_SECRET": served.secret, "PATH": "/usr/bin:/bin"})
        assert result.returncode == 0, result.stdout + result.stderr
        assert "all checks passed" in result.stdout
        assert wait_for(lambda: {m.topic for m in mqtt[0].messages} >= {"ts/one", "ts/two", "ts/kept"})
        assert wait_for(lambda: mqtt[2].disconnected)
    finally:
        for client in mqtt:
            client.close()
