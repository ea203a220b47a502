"""The SQLite session store: group commit, and what it loads back (real SQLite in tmp)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from mqttgate.broker.sessions_store import SessionMessage, SqliteSessionStore
from mqttgate.broker.store import Store

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def message(n: int, payload: bytes, packet_id: int | None = None) -> SessionMessage:
    return SessionMessage(n, f"t/{n}", payload, 2, False, f"id{n}", T0, "pub", None, packet_id)


def test_writes_of_one_loop_turn_share_one_commit_and_load_back_binary_safe(tmp_path):
    store = Store(tmp_path / "mqttgate.db")
    sessions = SqliteSessionStore(store)
    commits = []
    commit = sessions._commit
    sessions._commit = lambda: commits.append(1) or commit()

    async def scenario() -> None:
        sessions.put_session("c1", "alice", True, T0)
        sessions.subscribe("c1", "b/#", 1)
        sessions.subscribe("c1", "a/#", 2)
        for n in range(1, 4):
            sessions.put_message("c1", message(n, bytes([0, 255, n])))
        sessions.sent(1, 17)
        sessions.released(1)
        sessions.received("c1", 9)
        batch = sessions.pending()
        assert batch is not None
        await batch
        assert sessions.pending() is None and sessions.settled() is None

    asyncio.run(scenario())
    assert len(commits) == 1
    (loaded,) = reloaded(store)
    assert (loaded.clientid, loaded.username, loaded.superuser, loaded.disconnected_at) == ("c1", "alice", True, None)
    assert list(loaded.subscriptions.items()) == [("b/#", 1), ("a/#", 2)]  # in the order made
    assert [(m.id, m.payload, m.packet_id, m.pubrel) for m in loaded.messages] == [
        (1, b"\x00\xff\x01", 17, True), (2, b"\x00\xff\x02", None, False), (3, b"\x00\xff\x03", None, False)]
    assert loaded.incoming == [9]
    sessions.close()
    store.close()


def test_what_is_recorded_while_a_commit_runs_goes_in_the_next_and_close_writes_the_rest(tmp_path):
    store = Store(tmp_path / "mqttgate.db")
    sessions = SqliteSessionStore(store)

    async def scenario() -> None:
        sessions.put_session("c2", None, False, T0)
        first = sessions.pending()
        await asyncio.sleep(0)  # the first group is committing now
        sessions.disconnected("c2", T0)
        sessions.put_message("c2", message(1, b"x"))
        second = sessions.pending()
        assert second is not first and sessions.settled() is second
        await asyncio.gather(first, second)
        sessions.delete_message(1)
        sessions.discard("gone")  # left for close() to write

    asyncio.run(scenario())
    sessions.close()
    (loaded,) = reloaded(store)
    assert loaded.disconnected_at == T0 and loaded.messages == []
    store.close()


def reloaded(store: Store) -> list:
    again = SqliteSessionStore(store)
    try:
        return again.load()
    finally:
        again.close()
