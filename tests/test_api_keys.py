"""API keys: hashed at rest, bootstrap file, first key, the verification cache, CRUD, roles and the CLI."""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from mqttgate.broker.api_keys import ApiKeys
from mqttgate.broker.errors import AlreadyExists, InvalidRequest, NotFound
from mqttgate.broker.store import Store
from mqttgate.security import role_allows
from tests.conftest import wait_for
from tests.fakes import CountingHasher
from tests.live import gate_config, start_gate
from tests.processes import BIN


@pytest.fixture
def keys(tmp_path):
    store = Store(tmp_path / "mqttgate.db")
    yield ApiKeys(store, CountingHasher())
    store.close()


def test_secrets_are_stored_hashed_never_in_plain_text(keys, tmp_path):
    keys.put("ops", "s3cret-value-123")
    keys._db.execute("PRAGMA wal_checkpoint(FULL)")
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("mqttgate.db*"))
    assert b"s3cret-value-123" not in raw
    assert b"$argon2" in raw


def test_verify_accepts_only_the_right_secret_and_caches_it(keys):
    keys.put("ops", "right")
    assert asyncio.run(keys.verify("ops", "wrong")) is None
    assert asyncio.run(keys.verify("nobody", "right")) is None
    first = asyncio.run(keys.verify("ops", "right"))
    assert first is not None and first.role == "administrator"
    hashed = keys._hasher.verifications
    for _ in range(5):
        assert asyncio.run(keys.verify("ops", "right")) is not None
    assert keys._hasher.verifications == hashed  # cached: no hash work per request


def test_a_wrong_secret_sent_again_costs_no_hash_work_until_the_secret_changes(keys):
    keys.put("ops", "right")
    assert asyncio.run(keys.verify("ops", "guess")) is None
    hashed = keys._hasher.verifications
    for _ in range(5):
        assert asyncio.run(keys.verify("ops", "guess")) is None
    assert keys._hasher.verifications == hashed
    keys.put("ops", "guess")  # now it is the secret
    assert asyncio.run(keys.verify("ops", "guess")) is not None


def test_a_new_secret_drops_the_cached_one(keys):
    keys.put("ops", "old")
    assert asyncio.run(keys.verify("ops", "old")) is not None
    keys.put("ops", "new")
    assert asyncio.run(keys.verify("ops", "old")) is None
    assert asyncio.run(keys.verify("ops", "new")) is not None


def test_bootstrap_file_lines_with_optional_role(keys, tmp_path):
    path = tmp_path / "keys"
    path.write_text("# comment\n\nadmin:a-secret\nwatcher:w-secret:viewer\n")
    assert keys.load_bootstrap_file(path) == 2
    assert asyncio.run(keys.verify("watcher", "w-secret")).role == "viewer"
    assert keys.ensure_first_key(tmp_path) is None  # keys exist: none generated


@pytest.mark.parametrize("line", ["justakey", "k:s:overlord", ":secret", "k::viewer"])
def test_malformed_bootstrap_file_loads_nothing(keys, tmp_path, line):
    path = tmp_path / "keys"
    path.write_text(f"good:secret\n{line}\n")
    with pytest.raises(InvalidRequest, match=r"keys:2"):
        keys.load_bootstrap_file(path)
    assert keys.count() == 0


def test_bootstrap_key_authenticates_over_http_and_no_key_is_generated(tmp_path):
    bootstrap = tmp_path / "keys"
    bootstrap.write_text("robot:r0b0t-secret\n")
    config = gate_config(tmp_path / "data", MQTTGATE_API_KEY__BOOTSTRAP_FILE=str(bootstrap))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "initial_api_key").write_text("unused:unused\n")  # start_gate reads it
    live = start_gate(config)
    try:
        url = f"{live.base_url}/api/v5/clients"
        assert httpx.get(url, auth=("robot", "r0b0t-secret")).status_code == 200
        assert httpx.get(url, auth=("robot", "wrong")).status_code == 401
        assert httpx.get(url, auth=("unused", "unused")).status_code == 401
    finally:
        live.stop()


def test_create_shows_the_secret_once_and_the_key_verifies_with_it(keys):
    key, secret = asyncio.run(keys.create("ci-bot", role="viewer", desc="CI"))
    assert (key.name, key.role, key.desc, key.enable, key.expired_at) == ("ci-bot", "viewer", "CI", True, None)
    assert asyncio.run(keys.verify(key.api_key, secret)).name == "ci-bot"
    assert asyncio.run(keys.verify(key.api_key, secret + "x")) is None
    with pytest.raises(AlreadyExists):
        asyncio.run(keys.create("ci-bot"))
    with pytest.raises(InvalidRequest, match="name must start with a letter"):
        asyncio.run(keys.create("9lives"))
    assert [k.name for k in keys.list()] == ["ci-bot"]


def test_disabled_expired_or_deleted_key_is_refused_although_its_secret_is_cached(keys):
    key, secret = asyncio.run(keys.create("ops"))
    assert asyncio.run(keys.verify(key.api_key, secret)) is not None
    hashed = keys._hasher.verifications
    keys.update("ops", enable=False)
    assert asyncio.run(keys.verify(key.api_key, secret)) is None
    keys.update("ops", enable=True)
    assert asyncio.run(keys.verify(key.api_key, secret)) is not None
    keys.update("ops", expired_at=datetime.now(UTC) - timedelta(seconds=1))
    assert asyncio.run(keys.verify(key.api_key, secret)) is None
    keys.update("ops", expired_at=None)
    assert asyncio.run(keys.verify(key.api_key, secret)).role == "administrator"
    assert keys._hasher.verifications == hashed  # all of it from the cache
    keys.delete("ops")
    assert asyncio.run(keys.verify(key.api_key, secret)) is None
    with pytest.raises(NotFound):
        keys.get("ops")


def test_a_change_made_by_another_process_is_seen_at_the_next_verify(keys, tmp_path):
    other = Store(tmp_path / "mqttgate.db")  # another connection, as the `mqttgate api-key` command has
    try:
        key, secret = asyncio.run(ApiKeys(other, CountingHasher()).create("robot"))
        assert asyncio.run(keys.verify(key.api_key, secret)).name == "robot"
        ApiKeys(other, CountingHasher()).delete("robot")
        assert asyncio.run(keys.verify(key.api_key, secret)) is None
    finally:
        other.close()


def as_key(gate, body: dict) -> httpx.Client:
    """A new API key made over the API, and an HTTP client authenticated with it."""
    created = gate.http.post("/api_key", json=body)
    assert created.status_code == 200, created.text
    key = created.json()
    return httpx.Client(base_url=gate.base_url + "/api/v5", auth=(key["api_key"], key["api_secret"]), timeout=10)


def test_api_key_crud_over_http(gate):
    created = gate.http.post("/api_key", json={"name": "ci-bot", "desc": "CI", "role": "viewer",
                                               "expired_at": "2099-01-01T02:00:00+02:00"})
    assert created.status_code == 200
    body = created.json()
    assert body["name"] == "ci-bot" and body["role"] == "viewer" and body["enable"] is True
    assert body["expired_at"] == "2099-01-01T00:00:00.000+00:00" and body["expired"] is False
    assert len(body["api_secret"]) >= 32 and body["api_key"] != body["name"]

    listed = gate.http.get("/api_key").json()
    assert [k["name"] for k in listed] == [gate.api_key, "ci-bot"]
    assert all("api_secret" not in k for k in listed)
    assert listed[0]["expired_at"] == "infinity"

    changed = gate.http.put("/api_key/ci-bot", json={"desc": "nightly", "enable": False})
    assert changed.status_code == 200
    assert changed.json() | {"desc": "x"} == {**{k: v for k, v in body.items() if k != "api_secret"},
                                              "desc": "x", "enable": False}
    assert gate.http.put("/api_key/ci-bot", json={"expired_at": "infinity"}).json()["expired_at"] == "infinity"
    assert gate.http.get("/api_key/ci-bot").json()["desc"] == "nightly"

    assert gate.http.delete("/api_key/ci-bot").status_code == 204
    for method in ("GET", "PUT", "DELETE"):
        missing = gate.http.request(method, "/api_key/ci-bot", json={} if method == "PUT" else None)
        assert missing.status_code == 404
        assert missing.json() == {"code": "NOT_FOUND", "message": "API key 'ci-bot' not found"}


@pytest.mark.parametrize("body, reason", [
    ({"name": "ops"}, "already exists"),
    ({"name": "9lives"}, "does not match"),
    ({"name": "ops2", "role": "root"}, "is not one of"),
    ({"name": "ops3", "expired_at": "tomorrow"}, "expired_at"),
    ({"name": "ops4", "colour": "red"}, "colour"),
    ({"desc": "no name"}, "'name' is a required property"),
])
def test_bad_or_duplicate_key_is_refused_and_changes_nothing(gate, body, reason):
    assert gate.http.post("/api_key", json={"name": "ops"}).status_code == 200
    before = gate.http.get("/api_key").json()
    response = gate.http.post("/api_key", json=body)
    assert response.status_code == (409 if reason == "already exists" else 400)
    assert response.json()["code"] == ("ALREADY_EXISTS" if reason == "already exists" else "BAD_REQUEST")
    assert reason in response.json()["message"]
    assert gate.http.get("/api_key").json() == before


def test_viewer_may_only_read_and_publisher_only_publish(gate):
    viewer = as_key(gate, {"name": "watcher", "role": "viewer"})
    publisher = as_key(gate, {"name": "pusher", "role": "publisher"})
    ban = {"as": "clientid", "who": "intruder"}
    with viewer, publisher:
        assert viewer.get("/clients").status_code == 200
        assert viewer.get("/api_key").status_code == 200
        for request in (("POST", "/banned", ban), ("DELETE", "/api_key/watcher", None),
                        ("PUT", "/api_key/watcher", {"role": "administrator"})):
            refused = viewer.request(request[0], request[1], json=request[2])
            assert refused.status_code == 403
            assert refused.json() == {"code": "UNAUTHORIZED_ROLE", "message": (
                f"API key role viewer may only read (GET); {request[0]} {request[1]} needs the administrator role")}
        for method, path in (("GET", "/clients"), ("GET", "/banned"), ("POST", "/banned")):
            refused = publisher.request(method, path, json=ban if method == "POST" else None)
            assert refused.status_code == 403
            assert "may only POST /publish and /publish/bulk" in refused.json()["message"]
        assert publisher.post("/publish", json={"topic": "t/1", "payload": "x"}).status_code == 202  # no subscriber
        assert publisher.post("/publish/bulk", json=[{"topic": "t/2", "payload": "y"}]).status_code == 202
        assert viewer.post("/publish", json={"topic": "t/1", "payload": "x"}).json()["code"] == "UNAUTHORIZED_ROLE"
        assert gate.http.get("/banned").json()["data"] == []  # refused requests changed nothing
        assert gate.http.get("/api_key/watcher").json()["role"] == "viewer"
        assert viewer.get("/status").status_code == publisher.get("/status").status_code == 200
        assert httpx.get(f"{gate.base_url}/api/v5/status").status_code == 200


def test_role_table():
    assert role_allows("administrator", "DELETE", "/banned")
    assert role_allows("viewer", "GET", "/banned") and not role_allows("viewer", "POST", "/banned")
    assert role_allows("publisher", "POST", "/publish") and role_allows("publisher", "POST", "/publish/bulk")
    assert not role_allows("publisher", "GET", "/publish") and not role_allows("publisher", "POST", "/banned")
    assert not role_allows("root", "GET", "/clients")


def test_disabled_or_expired_key_is_refused_at_once_though_its_secret_was_cached(gate):
    with as_key(gate, {"name": "worker"}) as worker:
        assert worker.get("/clients").status_code == worker.get("/clients").status_code == 200  # now cached
        assert gate.http.put("/api_key/worker", json={"enable": False}).status_code == 200
        refused = worker.get("/clients")
        assert refused.status_code == 401
        assert refused.json()["code"] == "WRONG_USERNAME_OR_PWD_OR_API_KEY_OR_API_SECRET"
        assert gate.http.put("/api_key/worker", json={"enable": True}).status_code == 200
        assert worker.get("/clients").status_code == 200
        soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
        assert gate.http.put("/api_key/worker", json={"expired_at": soon}).status_code == 200
        assert worker.get("/clients").status_code == 200
        assert wait_for(lambda: worker.get("/clients").status_code == 401, timeout=15)
        assert gate.http.get("/api_key/worker").json()["expired"] is True


def test_a_key_may_delete_or_disable_itself_and_its_next_request_is_refused(gate):
    with as_key(gate, {"name": "leaving"}) as leaving, as_key(gate, {"name": "pausing"}) as pausing:
        assert leaving.delete("/api_key/leaving").status_code == 204
        assert leaving.get("/clients").status_code == 401
        assert pausing.put("/api_key/pausing", json={"enable": False}).json()["enable"] is False
        assert pausing.get("/clients").status_code == 401


def mqttgate_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([BIN / "mqttgate", "api-key", *args], capture_output=True, text=True, timeout=60)


def test_cli_manages_keys_of_a_running_server(gate):
    data_dir = gate.config.data_dir
    created = mqttgate_cli("create", "robot", "--role", "viewer", "--desc", "from a script", "--data-dir", data_dir)
    assert created.returncode == 0, created.stderr
    api_key, secret = created.stdout.strip().split(":")
    url = f"{gate.base_url}/api/v5/clients"
    assert httpx.get(url, auth=(api_key, secret)).status_code == 200
    assert httpx.delete(f"{gate.base_url}/api/v5/api_key/robot", auth=(api_key, secret)).status_code == 403

    listed = mqttgate_cli("list", "--json", "--data-dir", data_dir)
    robot = next(k for k in json.loads(listed.stdout) if k["name"] == "robot")
    assert robot["role"] == "viewer" and robot["desc"] == "from a script" and secret not in listed.stdout
    assert "robot" in mqttgate_cli("list", "--data-dir", data_dir).stdout

    assert mqttgate_cli("delete", "robot", "--data-dir", data_dir).returncode == 0
    assert httpx.get(url, auth=(api_key, secret)).status_code == 401
    again = mqttgate_cli("delete", "robot", "--data-dir", data_dir)
    assert again.returncode == 1 and again.stderr.strip() == "mqttgate: API key 'robot' not found"
    bad = mqttgate_cli("create", "x", "--expired-at", "soon", "--data-dir", data_dir)
    assert bad.returncode == 1 and "--expired-at: expected an RFC 3339 time" in bad.stderr


def test_the_database_holds_no_secret_and_no_password(gate, mqtt_client):
    created = gate.http.post("/api_key", json={"name": "ops"}).json()
    users = "/authentication/password_based:built_in_database/users"
    assert gate.http.post(users, json={"user_id": "alice", "password": "Pa55-w0rd-alice"}).status_code == 201
    assert gate.http.put(f"{users}/alice", json={"password": "N3w-pa55-alice"}).status_code == 200
    assert mqtt_client("sensor", username="alice", password="N3w-pa55-alice").connack == 0
    raw = b"".join(path.read_bytes() for path in (gate.config.data_path).glob("mqttgate.db*"))
    assert b"alice" in raw and created["api_key"].encode() in raw  # the rows are there ...
    for secret in (created["api_secret"], gate.api_secret, "Pa55-w0rd-alice", "N3w-pa55-alice"):
        assert secret.encode() not in raw  # ... but no secret or password
    assert raw.count(b"$argon2id$") >= 3


def test_concurrent_first_uses_of_a_key_share_one_hash_check(keys):
    keys.put("ops", "right")

    async def eight(secret):
        return await asyncio.gather(*(keys.verify("ops", secret) for _ in range(8)))

    accepted = asyncio.run(eight("right"))
    assert all(key is not None and key.name == "ops" for key in accepted)
    assert keys._hasher.verifications == 1  # not one argon2 check per request
    assert asyncio.run(eight("wrong")) == [None] * 8
    assert keys._hasher.verifications == 2
