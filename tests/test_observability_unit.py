"""Stats, metrics, nodes, listeners, error codes and Prometheus against a fake broker adapter: fast, no network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from mqttgate.app import create_app
from mqttgate.broker.metrics import GAUGES, METRICS
from mqttgate.config import load_config
from mqttgate.errors import DOMAIN_ERRORS, ERROR_CODES, HTTP_CODES
from tests.fakes import FakeApiKeys, FakeBroker, WithState, make_client

AUTH = ("key", "secret")
SPEC = yaml.safe_load((Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml").read_text())


def app(fake: FakeBroker, tmp_path: Path) -> WithState:
    config = load_config(None, {"MQTTGATE_DATA_DIR": str(tmp_path), "MQTTGATE_REST_API__VALIDATE_RESPONSES": "true"})
    return WithState(create_app(config).api, broker=fake, api_keys=FakeApiKeys(), node="mqttgate@test",
                     rest_listeners=None)


@pytest.fixture
def fake():
    return FakeBroker(make_client("a", subscriptions_cnt=2), make_client("b", connected=False))


@pytest.fixture
def api(fake, tmp_path):
    with TestClient(app(fake, tmp_path), raise_server_exceptions=False) as client:
        yield client


def spec_codes(node: Any) -> set[str]:
    """Every error code an `x-error-codes` list of the spec names."""
    if isinstance(node, list):
        return set().union(*map(spec_codes, node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = set(node.get("x-error-codes", []))
    return found.union(*map(spec_codes, node.values()))


def test_the_catalogue_holds_every_code_the_spec_and_the_error_tables_use():
    used = spec_codes(SPEC) | {code for _, code in DOMAIN_ERRORS.values()} | set(HTTP_CODES.values())
    assert {"CLIENTID_NOT_FOUND", "NOT_FOUND", "BAD_REQUEST"} <= used  # the walk finds them
    assert used - ERROR_CODES.keys() == set()


def test_error_codes_are_served_whole_and_one_by_one(api):
    listed = api.get("/api/v5/error_codes", auth=AUTH).json()
    assert listed == [{"name": name, "description": text} for name, text in ERROR_CODES.items()]
    one = api.get("/api/v5/error_codes/CLIENTID_NOT_FOUND", auth=AUTH)
    assert one.json() == {"name": "CLIENTID_NOT_FOUND", "description": ERROR_CODES["CLIENTID_NOT_FOUND"]}
    missing = api.get("/api/v5/error_codes/NO_SUCH_CODE", auth=AUTH)
    assert missing.status_code == 404 and missing.json() == {"code": "NOT_FOUND", "message": "No such error code"}
    too_long = api.get("/api/v5/error_codes/" + "X" * 101, auth=AUTH)
    assert too_long.status_code == 400 and "'code'" in too_long.json()["message"]


def test_the_spec_names_every_counter_and_gauge_the_broker_keeps():
    schemas = SPEC["components"]["schemas"]
    assert schemas["Metrics"]["required"] == list(METRICS)
    assert list(schemas["Metrics"]["properties"]) == ["node", *METRICS]
    assert schemas["Stats"]["required"] == [f"{g}.{kind}" for g in GAUGES for kind in ("count", "max")]


@pytest.mark.parametrize("path", ["/stats", "/metrics"])
def test_values_come_per_node_or_aggregated(api, fake, path):
    values = fake.stats() if path == "/stats" else fake.metrics()
    assert api.get(f"/api/v5{path}", auth=AUTH).json() == [{"node": "mqttgate@test", **values}]
    assert api.get(f"/api/v5{path}", params={"aggregate": "true"}, auth=AUTH).json() == values
    bad = api.get(f"/api/v5{path}", params={"aggregate": "maybe"}, auth=AUTH)
    assert bad.status_code == 400 and "'aggregate'" in bad.json()["message"]


@pytest.mark.parametrize("path", ["/stats", "/metrics", "/nodes", "/nodes/mqttgate@test", "/prometheus/stats"])
def test_503_while_the_broker_is_down(api, fake, path):
    fake.running = False
    response = api.get(f"/api/v5{path}", auth=AUTH)
    assert response.status_code == 503 and response.json()["code"] == "SERVICE_UNAVAILABLE"


def test_a_node_is_found_by_its_name_only(api):
    (listed,) = api.get("/api/v5/nodes", auth=AUTH).json()
    assert listed["node"] == "mqttgate@test" and listed["node_status"] == "running"
    assert listed["connections"] == 2 and listed["live_connections"] == 1
    assert [listener["id"] for listener in listed["listeners"]] == ["tcp:default", "http:http"]
    one = api.get("/api/v5/nodes/mqttgate@test", auth=AUTH).json()
    assert one.keys() == listed.keys() and one["node"] == listed["node"]
    other = api.get("/api/v5/nodes/mqttgate@elsewhere", auth=AUTH)
    assert other.status_code == 404 and other.json() == {"code": "NOT_FOUND", "message": "Node not found"}


def test_listeners_list_mqtt_then_rest(fake, tmp_path):
    served = app(fake, tmp_path)
    served.state["rest_listeners"] = [("http-default", "127.0.0.1:8888"), ("admin", "10.0.0.1:9999")]
    with TestClient(served) as client:
        listeners = client.get("/api/v5/listeners", auth=AUTH).json()
    assert listeners == [
        {"id": "tcp:default", "name": "default", "type": "tcp", "bind": "127.0.0.1:1883", "running": True,
         "current_connections": 0, "max_connections": 0},
        {"id": "http:http-default", "name": "http-default", "type": "http", "bind": "127.0.0.1:8888", "running": True},
        {"id": "http:admin", "name": "admin", "type": "http", "bind": "10.0.0.1:9999", "running": True},
    ]


def scrape(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/v5/prometheus/stats", auth=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def samples(family: Any, suffix: str = "") -> dict[tuple[tuple[str, str], ...], float]:
    return {tuple(sorted(s.labels.items())): s.value for s in family.samples if s.name == family.name + suffix}


def test_prometheus_counts_api_requests_by_operation_never_by_path(api):
    for path, auth in (("/clients", AUTH), ("/clients", AUTH), ("/clients/a", AUTH), ("/clients/nobody", AUTH),
                       ("/clients/else", AUTH), ("/clients", None), ("/no/such/path", AUTH)):
        api.get(f"/api/v5{path}", auth=auth)
    api.delete("/api/v5/clients/b", auth=AUTH)
    families = scrape(api)
    key = (("method", "GET"), ("operation", "list_clients"), ("status", "200"))
    assert samples(families["mqttgate_http_requests"], "_total") == {
        key: 2.0,
        (("method", "GET"), ("operation", "list_clients"), ("status", "401")): 1.0,
        (("method", "GET"), ("operation", "get_client"), ("status", "200")): 1.0,
        (("method", "GET"), ("operation", "get_client"), ("status", "404")): 2.0,
        (("method", "GET"), ("operation", "none"), ("status", "404")): 1.0,
        (("method", "DELETE"), ("operation", "kick_client"), ("status", "204")): 1.0,
    }
    latency = families["mqttgate_http_request_duration_seconds"]
    assert samples(latency, "_count") == {
        (("method", "GET"), ("operation", "list_clients")): 3.0,
        (("method", "GET"), ("operation", "get_client")): 3.0,
        (("method", "GET"), ("operation", "none")): 1.0,
        (("method", "DELETE"), ("operation", "kick_client")): 1.0,
    }
    buckets = [s for s in latency.samples if s.name.endswith("_bucket") and s.labels["operation"] == "get_client"]
    assert buckets[-1].labels["le"] == "+Inf" and buckets[-1].value == 3.0


def test_prometheus_gives_the_broker_values_and_process_metrics(api, fake):
    families = scrape(api)
    node = (("node", "mqttgate@test"),)
    for name, value in fake.metrics().items():
        family = families["mqttgate_" + name.replace(".", "_")]
        assert family.type == "counter" and samples(family, "_total") == {node: value}
    for name, value in fake.stats().items():
        family = families["mqttgate_" + name.removesuffix(".count").replace(".", "_")]
        assert family.type == "gauge" and samples(family) == {node: value}
    (build,) = families["mqttgate_build_info"].samples
    assert build.labels["node"] == "mqttgate@test" and build.value == 1
    assert samples(families["process_resident_memory_bytes"])[()] > 0


def test_each_app_keeps_its_own_api_metrics(fake, tmp_path):
    with TestClient(app(fake, tmp_path / "one")) as one, TestClient(app(fake, tmp_path / "two")) as two:
        for _ in range(3):
            one.get("/api/v5/clients", auth=AUTH)
        two.get("/api/v5/clients", auth=AUTH)
        key = (("method", "GET"), ("operation", "list_clients"), ("status", "200"))
        assert samples(scrape(one)["mqttgate_http_requests"], "_total")[key] == 3.0
        assert samples(scrape(two)["mqttgate_http_requests"], "_total")[key] == 1.0
