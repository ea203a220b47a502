"""Logs: text or JSON lines, to stderr or a file, with one access log line per API request."""

from __future__ import annotations

import json
import signal

import httpx

from tests.conftest import wait_for
from tests.processes import SERVE


def test_json_lines_to_a_file_with_the_access_log(started, tmp_path):
    log_file = tmp_path / "mqttgate.log"
    process = started(SERVE, config=f"log: {{format: json, file: {log_file}}}\n", log_file=log_file).wait_ready(60)
    auth = process.api_auth()
    httpx.get(f"{process.url}/clients", params={"limit": 5}, auth=auth, timeout=5)
    httpx.get(f"{process.url}/clients", auth=("nobody", "wrong-secret"), timeout=5)
    httpx.post(f"{process.url}/banned", auth=auth, json={"as": "clientid", "who": "x"}, timeout=5)

    def access_lines() -> list[dict]:
        lines = [json.loads(line) for line in log_file.read_text().splitlines()]
        return [line for line in lines if line["logger"] == "mqttgate.access" and line["path"] != "/api/v5/status"]

    assert wait_for(lambda: len(access_lines()) == 3)
    listed, refused, banned = access_lines()
    assert listed["method"] == "GET" and listed["path"] == "/api/v5/clients" and listed["query"] == "limit=5"
    assert listed["status"] == 200 and listed["source"] and listed["operation_id"] == "list_clients"
    assert listed["client"] == "127.0.0.1" and listed["duration_ms"] >= 0 and listed["level"] == "info"
    assert refused["status"] == 401 and refused["source"] == "nobody"
    assert banned["method"] == "POST" and banned["status"] == 200
    text = log_file.read_text()
    assert auth[1] not in text and "wrong-secret" not in text
    assert all(json.loads(line) for line in text.splitlines())  # every line is JSON, startup lines included
    assert any("REST API listener" in json.loads(line)["msg"] for line in text.splitlines())
    assert "secret" not in process.output().replace("secret:", "")  # stdout holds only the first key's banner
    process.stop(signal.SIGTERM)


def test_text_lines_to_stderr_by_default(started):
    process = started(SERVE).wait_ready(60)
    httpx.get(f"{process.url}/clients", auth=process.api_auth(), timeout=5)
    assert wait_for(lambda: any("mqttgate.access" in line and "GET /api/v5/clients 200" in line
                                for line in process.output().splitlines()))
    process.stop(signal.SIGTERM)


def test_access_log_off(started):
    process = started(SERVE, config="log: {access_log: false}\n").wait_ready(60)
    assert httpx.get(f"{process.url}/clients", auth=process.api_auth(), timeout=5).status_code == 200
    assert httpx.get(f"{process.url}/status", timeout=5).status_code == 200
    process.stop(signal.SIGTERM)
    output = process.output()
    assert "REST API listener" in output and "mqttgate.access" not in output  # the log runs, without requests
