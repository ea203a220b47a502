"""schemathesis over every operation of the spec, with every check, against the real app and broker.

Authenticated as the first API key, with `ignored_auth` among the checks, while real MQTT
clients are connected, and bans, users and ACL rules exist, so that every operation has
data to return. `contract_hooks.py` and `schemathesis.toml` say what the run needs and why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from error_codes import code_violation

from tests.conftest import MqttClient
from tests.live import gate_config, start_gate

HERE = Path(__file__).resolve().parent
SPEC = HERE.parent / "spec" / "openapi.yaml"
CONFIG = HERE / "schemathesis.toml"
MAX_EXAMPLES = os.environ.get("CONTRACT_MAX_EXAMPLES", "60")


@pytest.fixture(scope="module")
def gate(tmp_path_factory):
    # samples in /monitor from the start, and an active alarm in /alarms
    live = start_gate(gate_config(tmp_path_factory.mktemp("contract") / "data", MQTTGATE_MONITOR__INTERVAL="0.5",
                                  MQTTGATE_ALARM__SYSTEM_MEMORY_HIGH_WATERMARK="0.0001"))
    clients = [MqttClient(live.mqtt_port, f"contract-{n}", clean_session=n % 2 == 0).connect() for n in range(3)]
    for n, client in enumerate(clients):
        client.subscribe(f"contract/{n}/+", n)
        client.subscribe("contract/all/#", 1)
    offline = MqttClient(live.mqtt_port, "contract-offline", clean_session=False).connect()
    offline.subscribe("contract/all/#", 1)
    offline.close()  # an offline persistent session, its queue filled below
    live.http.post("/trace", json={"name": "contract", "type": "topic", "topic": "contract/#"}).raise_for_status()
    live.http.post("/publish/bulk", json=[{"topic": f"contract/{n}/kept", "payload": "retained", "qos": n,
                                           "retain": True} for n in range(3)]).raise_for_status()
    live.http.post("/publish", json={"topic": "contract/all/queued", "payload": "q", "qos": 1}).raise_for_status()
    live.http.post("/data/export").raise_for_status()
    rule = {"topic": "contract/private/#", "permission": "deny", "action": "all"}
    for method, path, body in [
        ("POST", "/api_key", {"name": "contract-viewer", "desc": "a key to change and delete", "role": "viewer"}),
        ("POST", "/banned", {"as": "clientid", "who": "contract-banned", "reason": "contract"}),
        ("POST", "/authentication/password_based:built_in_database/users", {"user_id": "contract-user",
                                                                            "password": "contract-pw"}),
        ("POST", "/authorization/sources/built_in_database/rules/clients", [{"clientid": "contract-0",
                                                                            "rules": [rule]}]),
        ("POST", "/authorization/sources/built_in_database/rules/users", [{"username": "contract-user",
                                                                          "rules": [rule]}]),
        ("POST", "/authorization/sources/built_in_database/rules/all", {"rules": [rule]}),
    ]:
        assert live.http.request(method, path, json=body).status_code in (200, 201, 204)
    yield live
    for client in clients:
        client.close()
    live.stop()


def test_every_operation_is_in_the_served_spec(gate):
    served = gate.http.get("/openapi.json").json()
    assert served["paths"].keys() == yaml.safe_load(SPEC.read_text())["paths"].keys()


def test_the_error_code_check_refuses_a_code_its_response_does_not_list():
    spec = yaml.safe_load(SPEC.read_text())
    assert code_violation(spec, "/clients/{clientid}", "get", 404, {"code": "CLIENTID_NOT_FOUND"}) is None
    assert "'NOT_FOUND' is not one of ['CLIENTID_NOT_FOUND']" in code_violation(
        spec, "/clients/{clientid}", "get", 404, {"code": "NOT_FOUND", "message": "x"})
    assert code_violation(spec, "/clients/{clientid}", "get", 400, "not json") is not None
    assert code_violation(spec, "/clients/{clientid}", "get", 200, {}) is None
    assert code_violation(spec, "/clients/{clientid}", "get", 418, {"code": "TEAPOT"}) is None  # not documented
    assert code_violation(spec, "/clients/{clientid}", "trace", 405, {"code": "METHOD_NOT_ALLOWED"}) is None


def test_the_operations_allowed_a_400_for_valid_input_are_few_and_say_why():
    spec = yaml.safe_load(SPEC.read_text())
    listed = {op_id for entry in tomllib.loads(CONFIG.read_text())["operations"]
              for op_id in entry.get("include-operation-id", [])}
    assert len(listed) <= 6
    described = {op["operationId"]: op.get("description", "") for item in spec["paths"].values()
                 for op in item.values() if isinstance(op, dict) and "operationId" in op}
    for op_id in listed:
        assert "400" in described[op_id], f"{op_id}: its description says when a valid body is refused"


@pytest.mark.timeout(900)
def test_schemathesis_finds_no_failure(gate, tmp_path):
    key_file = tmp_path / "key-in-use"
    schemathesis = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    result = subprocess.run(
        [schemathesis, "--config-file", str(CONFIG), "run", f"{gate.base_url}/api/v5/openapi.json",
         "--checks", "all", "--auth", f"{gate.api_key}:{gate.api_secret}",
         "--max-examples", MAX_EXAMPLES, "--seed", "20261122", "--workers", "1",
         "--generation-database", "none",  # the same run every time: no replay of past finds
         "--report", "junit", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=900,
        env={**os.environ, "SCHEMATHESIS_HOOKS": "contract_hooks", "PYTHONPATH": str(HERE),
             "CONTRACT_BASE_URL": f"{gate.base_url}/api/v5", "CONTRACT_KEY_FILE": str(key_file),
             "CONTRACT_CREDENTIALS": f"{gate.api_key}:{gate.api_secret}"},
    )
    print(result.stdout[:30000], result.stderr[-5000:])
    failures, passed_over = real_failures(tmp_path)
    assert result.returncode == 0 or failures or passed_over, (
        f"schemathesis failed without a failure report: {result.stderr[-2000:]}")
    assert failures == [], "schemathesis found failures (see the output above)"


def real_failures(report_dir: Path) -> tuple[list[str], list[str]]:
    """Every failure in schemathesis's JUnit report less one known false positive, and those passed over.

    schemathesis 4.32 negates a request by dropping the Basic `Authorization` header (which
    `--auth` then sends all the same) together with an extra query property that serializes
    to nothing; the request that reaches the server is valid, and 200 is right. Reported as
    ST201 "header: violates `required` (was Authorization)"; any other failure counts.
    """
    failures, passed_over = [], []
    for report in report_dir.glob("junit-*.xml"):
        for case in ElementTree.parse(report).iter("testcase"):
            for failure in case.findall("failure"):
                text = failure.text or ""
                checks = set(re.findall(r"- (ST\d{3}) ", text))
                if checks == {"ST201"} and "violates `required` (was Authorization)" in text:
                    print(f"known schemathesis false positive passed over: {case.get('name')}")
                    passed_over.append(case.get("name"))
                    continue
                failures.append(f"{case.get('name')}: {failure.get('message')}")
    return failures, passed_over
