"""GET /audit: every change through the API, never a secret, with EMQX's filters, paged and bounded."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.conftest import wait_for


def entries(gate, **params) -> list[dict]:
    response = gate.http.get("/audit", params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_changes_are_recorded_and_reads_are_not(gate):
    started = int(time.time() * 1000)
    name = gate.http.get("/api_key").json()[0]["name"]
    assert gate.http.post("/banned", json={"as": "clientid", "who": "audited", "reason": "x"}).status_code == 200
    created = gate.http.post("/api_key", json={"name": "audited-key", "role": "viewer"}).json()
    assert gate.http.post("/authentication/password_based:built_in_database/users",
                          json={"user_id": "u1", "password": "hunter2-password"}).status_code == 201
    assert gate.http.delete("/banned/clientid/nobody").status_code == 404
    gate.http.get("/clients")
    gate.http.post("/publish", json={"topic": "a/b", "payload": "x"})
    assert httpx.post(f"{gate.base_url}/api/v5/banned", auth=("nobody", "wrong"), timeout=5,
                      json={"as": "clientid", "who": "x"}).status_code == 401

    assert wait_for(lambda: len(entries(gate)) == 4)
    newest_first = entries(gate)
    assert [e["operation_id"] for e in newest_first] == ["delete_banned", "create_user", "create_api_key",
                                                         "create_banned"]
    ban = newest_first[-1]
    assert ban["from"] == "rest_api" and ban["source"] == name and ban["source_ip"] == "127.0.0.1"
    assert ban["http_method"] == "post" and ban["http_status_code"] == 200 and ban["operation_result"] == "success"
    assert ban["operation_type"] == "banned" and ban["duration_ms"] >= 0
    assert started <= ban["created_at"] <= int(time.time() * 1000)
    assert ban["http_request"] == {"method": "post", "path": "/api/v5/banned", "query": ""}
    failed = newest_first[0]
    assert failed["http_status_code"] == 404 and failed["operation_result"] == "failure"
    everything = json.dumps(newest_first)
    for secret in (created["api_secret"], "hunter2-password", gate.api_secret):
        assert secret not in everything


def test_filters_and_pages(gate):
    for n in range(3):
        gate.http.post("/banned", json={"as": "clientid", "who": f"f{n}"}).raise_for_status()
    gate.http.delete("/banned/clientid/f0").raise_for_status()
    gate.http.delete("/banned/clientid/missing")
    cli = gate.http.post("/banned", json={"as": "clientid", "who": "from-cli"},
                         headers={"User-Agent": "mqttgate-cli/0.1.0"})
    assert cli.status_code == 200
    assert wait_for(lambda: len(entries(gate)) == 6)

    assert len(entries(gate, operation_id="create_banned")) == 4
    assert len(entries(gate, http_method="delete")) == 2
    assert len(entries(gate, http_status_code=404)) == 1
    assert len(entries(gate, operation_result="failure")) == 1
    assert [e["source"] for e in entries(gate, **{"from": "cli"})] == [gate.http.get("/api_key").json()[0]["name"]]
    assert len(entries(gate, **{"from": "rest_api"})) == 5
    assert len(entries(gate, source_ip="127.0.0.1")) == 6
    assert entries(gate, source_ip="10.0.0.1") == []
    assert entries(gate, source="someone-else") == []
    assert len(entries(gate, gte_duration_ms=0, lte_duration_ms=100000)) == 6
    oldest = entries(gate)[-1]["created_at"]
    assert len(entries(gate, gte_created_at=str(oldest + 100000))) == 0
    assert len(entries(gate, lte_created_at=str(oldest))) >= 1
    assert len(entries(gate, gte_created_at="2020-01-01T00:00:00Z")) == 6

    page = gate.http.get("/audit", params={"limit": 4, "page": 2}).json()
    assert len(page["data"]) == 2 and page["meta"] == {"page": 2, "limit": 4, "count": 6, "hasnext": False}
    assert gate.http.get("/audit", params={"limit": 4}).json()["meta"]["hasnext"] is True

    for bad in ({"http_method": "get"}, {"from": "dashboard"}, {"gte_created_at": "yesterday"},
                {"http_status_code": "x"}, {"limit": 0}):
        response = gate.http.get("/audit", params=bad)
        assert response.status_code == 400 and response.json()["code"] == "BAD_REQUEST", bad


@pytest.mark.parametrize("gate", [{"MQTTGATE_AUDIT__MAX_ENTRIES": "3"}], indirect=True)
def test_bounded(gate):
    for n in range(6):
        gate.http.post("/banned", json={"as": "clientid", "who": f"b{n}"}).raise_for_status()
    assert wait_for(lambda: [e["http_request"]["path"] for e in entries(gate)] == ["/api/v5/banned"] * 3)
    assert gate.http.get("/audit").json()["meta"]["count"] == 3


@pytest.mark.parametrize("gate", [{"MQTTGATE_AUDIT__ENABLED": "false"}], indirect=True)
def test_disabled(gate):
    gate.http.post("/banned", json={"as": "clientid", "who": "x"}).raise_for_status()
    assert entries(gate) == []
