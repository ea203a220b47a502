"""The deployment files: the example configuration and the systemd unit, as an operator uses them."""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import shutil
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml

from mqttgate.config import Config, load_config
from tests.conftest import wait_for
from tests.processes import BIN

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
EXAMPLE = DEPLOY / "mqttgate.yaml"
UNIT = DEPLOY / "mqttgate.service"


def test_the_example_configuration_is_valid_and_complete():
    config = load_config(EXAMPLE, environ={})
    written = yaml.safe_load(EXAMPLE.read_text())
    assert set(written) == {field.name for field in dataclasses.fields(Config)}, "a section is missing"
    # it shows the defaults (but for where data lives)
    assert dataclasses.replace(config, data_dir=Config().data_dir) == Config()
    checked = subprocess.run([BIN / "mqttgate", "check-config", "--config", EXAMPLE], capture_output=True,
                             text=True, timeout=60, env={k: v for k, v in os.environ.items()
                                                         if not k.startswith("MQTTGATE_")})
    assert checked.returncode == 0, checked.stderr


def deployed(tmp_path: Path) -> dict[str, str]:
    """What a deployment changes by environment: where data lives and, here, ports the system picks."""
    return {"MQTTGATE_DATA_DIR": str(tmp_path / "data"), "MQTTGATE_MQTT__LISTENERS__DEFAULT__BIND": "127.0.0.1:0",
            "MQTTGATE_REST_API__LISTENERS__0__PORT": "0"}


def test_the_readme_gunicorn_command_with_the_example_configuration(started, tmp_path):
    readme = (DEPLOY.parent / "README.md").read_text()
    command = next(line for line in readme.splitlines() if "gunicorn -k" in line)
    assert "MQTTGATE_CONFIG=deploy/mqttgate.yaml" in command
    args = [BIN / "gunicorn" if word == "gunicorn" else word.strip("'").replace("127.0.0.1:8888", "127.0.0.1:0")
            for word in shlex.split(command) if "=" not in word or word.startswith("-")]
    process = started(args, env={**deployed(tmp_path), "MQTTGATE_CONFIG": str(EXAMPLE)}).wait_ready()
    assert httpx.get(f"{process.url}/clients", auth=process.api_auth(), timeout=5).status_code == 200
    process.stop(signal.SIGTERM, timeout=20)


def unit_settings() -> dict[str, str]:
    settings = {}
    for line in UNIT.read_text().splitlines():
        match = re.match(r"^(\w+)=(.*)$", line)
        if match:
            settings[match[1]] = match[2]
    return settings


def test_the_systemd_unit_verifies(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian: apt-get install systemd)")
    unit = tmp_path / "mqttgate.service"
    # as installed: the unit's mqttgate is this environment's
    unit.write_text(UNIT.read_text().replace("/usr/local/bin/mqttgate", str(BIN / "mqttgate")))
    verified = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0 and "mqttgate.service" not in verified.stdout + verified.stderr, (
        verified.stdout + verified.stderr)


def test_the_systemd_unit_starts_reloads_and_stops_as_systemd_would(started, tmp_path):
    settings = unit_settings()
    assert settings["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert settings["KillSignal"] == "SIGTERM"
    start = shlex.split(settings["ExecStart"])
    assert start[:2] == ["/usr/local/bin/mqttgate", "serve"]
    config = tmp_path / "deployed.yaml"
    shutil.copy(EXAMPLE, config)
    args = [str(BIN / "mqttgate"), *[str(config) if a == "/etc/mqttgate/mqttgate.yaml" else a for a in start[1:]]]
    env = dict(e.split("=", 1) for e in shlex.split(settings["Environment"]))
    assert env == {"MQTTGATE_DATA_DIR": "/var/lib/mqttgate"}
    process = started(args, env=deployed(tmp_path)).wait_ready()
    # systemctl reload
    subprocess.run(["/bin/kill", "-HUP", str(process.proc.pid)], check=True)
    assert wait_for(lambda: "SIGHUP: reloaded" in process.output(), timeout=20), process.output()
    assert process.proc.poll() is None
    # systemctl stop: a clean exit, within TimeoutStopSec
    process.stop(signal.SIGTERM, timeout=int(settings["TimeoutStopSec"]))
    assert process.proc.returncode == 0, process.output()
