"""The user registry without a broker: hashing, and what is remembered of checked passwords."""

from __future__ import annotations

import asyncio

import pytest

from mqttgate.broker.store import Store
from mqttgate.broker.users import Users
from tests.fakes import CountingHasher


@pytest.fixture
def users(tmp_path):
    store = Store(tmp_path / "mqttgate.db")
    yield Users(store, CountingHasher())
    store.close()


def test_the_default_hash_is_salted_argon2id_with_owasps_parameters(tmp_path):
    store = Store(tmp_path / "mqttgate.db")
    try:
        asyncio.run(Users(store).create("alice", "pw"))
        stored = [row["password_hash"] for row in store.db.execute("SELECT password_hash FROM mqtt_users")]
    finally:
        store.close()
    assert stored[0].startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_right_and_wrong_passwords_are_remembered_until_the_password_changes(users):
    asyncio.run(users.create("alice", "right"))
    for password in ("right", "wrong"):
        asyncio.run(users.verify("alice", password))
    checked = users._hasher.verifications
    for _ in range(5):
        assert asyncio.run(users.verify("alice", "right")).user_id == "alice"
        assert asyncio.run(users.verify("alice", "wrong")) is None
    assert users._hasher.verifications == checked  # reconnects and retries cost no hash work
    asyncio.run(users.update("alice", password="wrong"))
    assert asyncio.run(users.verify("alice", "wrong")) is not None
    assert asyncio.run(users.verify("alice", "right")) is None
    assert asyncio.run(users.verify("nobody", "right")) is None
    assert asyncio.run(users.verify("alice", None)) is None


def test_concurrent_connects_with_the_same_password_share_one_hash_check(users):
    asyncio.run(users.create("alice", "right"))

    async def eight(password):
        return await asyncio.gather(*(users.verify("alice", password) for _ in range(8)))

    assert [user.user_id for user in asyncio.run(eight("right"))] == ["alice"] * 8
    assert users._hasher.verifications == 1
    assert asyncio.run(eight("wrong")) == [None] * 8
    assert users._hasher.verifications == 2
