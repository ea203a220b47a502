"""API keys: hashed at rest, bootstrap file, first key, and the verification cache."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from argon2 import PasswordHasher

from broker.api_keys import ApiKeys
from broker.errors import InvalidRequest
from broker.store import Store
from tests.live import gate_config, start_gate


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024)
        self.verifications = 0

    def verify(self, hash, password):
        self.verifications += 1
        return super().verify(hash, password)


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
