"""Persistent sessions on disk: the session store port, and its SQLite version with group commit.

A persistent session (clean_session 0) is kept with its subscriptions, its offline queue,
its outgoing in-flight window (packet ids, and whether PUBREC came) and the packet ids of
inbound QoS 2 messages awaiting PUBREL. The broker records each change as it happens;
the changes of one event-loop turn, and of every turn while a commit is under way, are
written in one transaction (group commit), its COMMIT (the fsync) in a thread, so a burst
of messages costs one fsync and the loop never waits on the disk. `pending()` gives the
future of the writes recorded so far and not yet committing: the broker acknowledges a
message (`mqtt.durability: sync`) once that future is done.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from mqttgate.broker.store import Store, rolled_back, settle

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SessionMessage:
    """A message of a persistent session: queued (no packet id yet) or in flight.

    Attributes:
        id: unique and increasing in the order messages were made, across restarts (the
            store's key, and the API's position).
        packet_id: the packet id it was sent with; None while queued.
        pubrel: QoS 2 only: PUBREC came and PUBREL was sent; PUBCOMP is awaited.
        msgid, publish_at, from_clientid, from_username: where it came from (EMQX names).
    """

    id: int
    topic: str
    payload: bytes
    qos: int
    retain: bool
    msgid: str
    publish_at: datetime
    from_clientid: str | None
    from_username: str | None
    packet_id: int | None = None
    pubrel: bool = False


@dataclass
class StoredSession:
    """A persistent session as the store holds it.

    Attributes:
        disconnected_at: when its last connection ended; None if the process ended while it
            was connected.
        messages: in flight and queued, in the order they were queued.
        incoming: packet ids of inbound QoS 2 messages awaiting PUBREL.
    """

    clientid: str
    username: str | None
    superuser: bool
    created_at: datetime
    disconnected_at: datetime | None
    subscriptions: dict[str, int] = field(default_factory=dict)
    messages: list[SessionMessage] = field(default_factory=list)
    incoming: list[int] = field(default_factory=list)


class SessionStore(Protocol):
    """Where persistent sessions outlive the process.

    Every write method records a change and returns at once; the changes are written in the
    order made. Call them on the broker's event loop.
    """

    def load(self) -> list[StoredSession]:
        """Every stored session, oldest first."""

    def put_session(self, clientid: str, username: str | None, superuser: bool, created_at: datetime) -> None:
        """Keep (or keep again) a connected persistent session."""

    def disconnected(self, clientid: str, at: datetime) -> None:
        """The session's connection ended at `at`; its expiry counts from then."""

    def discard(self, clientid: str) -> None:
        """Forget the session and all it holds."""

    def subscribe(self, clientid: str, topic: str, qos: int) -> None:
        """Add or replace a subscription."""

    def unsubscribe(self, clientid: str, topic: str) -> None:
        """Remove a subscription."""

    def put_message(self, clientid: str, message: SessionMessage) -> None:
        """Keep a message for the session (queued, or in flight if it has a packet id), by its id."""

    def sent(self, message_id: int, packet_id: int) -> None:
        """A queued message was sent with `packet_id`: now in flight."""

    def released(self, message_id: int) -> None:
        """PUBREC came for an in-flight QoS 2 message; PUBCOMP is awaited."""

    def delete_message(self, message_id: int) -> None:
        """The message is done (acknowledged, or dropped from a full queue)."""

    def received(self, clientid: str, packet_id: int) -> None:
        """An inbound QoS 2 message was taken; its packet id is kept until PUBREL."""

    def release_received(self, clientid: str, packet_id: int) -> None:
        """PUBREL came for that packet id."""

    def pending(self) -> asyncio.Future[None] | None:
        """The future of the writes made in this loop turn (done once on disk); None if none."""

    def settled(self) -> asyncio.Future[None] | None:
        """The future of every write made so far; None if all are on disk."""

    def lag(self) -> float:
        """Seconds the oldest write not yet on disk has waited."""

    def close(self) -> None:
        """Write what is recorded, then stop."""


_PUT_SESSION = (
    "INSERT INTO sessions (clientid, username, superuser, created_at, disconnected_at) VALUES (?, ?, ?, ?, NULL) "
    "ON CONFLICT (clientid) DO UPDATE SET username = excluded.username, superuser = excluded.superuser, "
    "disconnected_at = NULL"
)
_DISCONNECTED = "UPDATE sessions SET disconnected_at = ? WHERE clientid = ?"
_DISCARD = ("DELETE FROM sessions WHERE clientid = ?", "DELETE FROM session_subscriptions WHERE clientid = ?",
            "DELETE FROM session_messages WHERE clientid = ?", "DELETE FROM session_incoming WHERE clientid = ?")
_SUBSCRIBE = ("INSERT INTO session_subscriptions (clientid, topic, qos) VALUES (?, ?, ?) "
              "ON CONFLICT (clientid, topic) DO UPDATE SET qos = excluded.qos")
_UNSUBSCRIBE = "DELETE FROM session_subscriptions WHERE clientid = ? AND topic = ?"
_PUT_MESSAGE = (
    "INSERT INTO session_messages (id, clientid, topic, payload, qos, retain, msgid, publish_at, from_clientid, "
    "from_username, packet_id, pubrel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SENT = "UPDATE session_messages SET packet_id = ? WHERE id = ?"
_RELEASED = "UPDATE session_messages SET pubrel = 1 WHERE id = ?"
_DELETE_MESSAGE = "DELETE FROM session_messages WHERE id = ?"
_RECEIVED = "INSERT OR IGNORE INTO session_incoming (clientid, packet_id) VALUES (?, ?)"
_RELEASE_RECEIVED = "DELETE FROM session_incoming WHERE clientid = ? AND packet_id = ?"


class SqliteSessionStore:
    """`SessionStore` in the SQLite database: group commit, with one commit under way at a time.

    The loop runs a group's statements in a transaction (page-cache writes, microseconds each)
    and hands COMMIT, where the fsync is, to a thread; the changes made meanwhile form the next
    group. A thread running every statement would contend with the loop for the GIL at each
    row and cost milliseconds per message; one COMMIT is one hand-over.

    Args:
        store: the SQLite store (its migrations create the tables).
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._db = store.connect()  # this store's own
        self._ops: list[tuple[str, tuple[Any, ...]]] = []
        self._batch: asyncio.Future[None] | None = None  # of the ops recorded, not yet committing
        self._batch_since = 0.0
        self._committing: asyncio.Future[None] | None = None
        self._committing_since = 0.0
        self._closed = False
        self._commits: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._committer = threading.Thread(target=self._commit_loop, name="mqttgate-sessions", daemon=True)
        self._committer.start()

    def load(self) -> list[StoredSession]:
        db = self._store.db
        sessions = {
            row["clientid"]: StoredSession(
                row["clientid"], row["username"], bool(row["superuser"]), datetime.fromisoformat(row["created_at"]),
                datetime.fromisoformat(row["disconnected_at"]) if row["disconnected_at"] else None)
            for row in db.execute("SELECT * FROM sessions ORDER BY created_at, clientid")
        }
        for row in db.execute("SELECT clientid, topic, qos FROM session_subscriptions ORDER BY rowid"):
            if row["clientid"] in sessions:
                sessions[row["clientid"]].subscriptions[row["topic"]] = row["qos"]
        for row in db.execute("SELECT * FROM session_messages ORDER BY id"):
            if row["clientid"] in sessions:
                sessions[row["clientid"]].messages.append(SessionMessage(
                    row["id"], row["topic"], bytes(row["payload"]), row["qos"], bool(row["retain"]), row["msgid"],
                    datetime.fromisoformat(row["publish_at"]), row["from_clientid"], row["from_username"],
                    row["packet_id"], bool(row["pubrel"])))
        for row in db.execute("SELECT clientid, packet_id FROM session_incoming"):
            if row["clientid"] in sessions:
                sessions[row["clientid"]].incoming.append(row["packet_id"])
        return list(sessions.values())

    def put_session(self, clientid: str, username: str | None, superuser: bool, created_at: datetime) -> None:
        self._op(_PUT_SESSION, (clientid, username, int(superuser), created_at.isoformat()))

    def disconnected(self, clientid: str, at: datetime) -> None:
        self._op(_DISCONNECTED, (at.isoformat(), clientid))

    def discard(self, clientid: str) -> None:
        for sql in _DISCARD:
            self._op(sql, (clientid,))

    def subscribe(self, clientid: str, topic: str, qos: int) -> None:
        self._op(_SUBSCRIBE, (clientid, topic, qos))

    def unsubscribe(self, clientid: str, topic: str) -> None:
        self._op(_UNSUBSCRIBE, (clientid, topic))

    def put_message(self, clientid: str, message: SessionMessage) -> None:
        self._op(_PUT_MESSAGE, (message.id, clientid, message.topic, message.payload, message.qos, int(message.retain),
                                message.msgid, message.publish_at.isoformat(), message.from_clientid,
                                message.from_username, message.packet_id, int(message.pubrel)))

    def sent(self, message_id: int, packet_id: int) -> None:
        self._op(_SENT, (packet_id, message_id))

    def released(self, message_id: int) -> None:
        self._op(_RELEASED, (message_id,))

    def delete_message(self, message_id: int) -> None:
        self._op(_DELETE_MESSAGE, (message_id,))

    def received(self, clientid: str, packet_id: int) -> None:
        self._op(_RECEIVED, (clientid, packet_id))

    def release_received(self, clientid: str, packet_id: int) -> None:
        self._op(_RELEASE_RECEIVED, (clientid, packet_id))

    def pending(self) -> asyncio.Future[None] | None:
        return self._batch

    def settled(self) -> asyncio.Future[None] | None:
        return self._batch or self._committing

    def lag(self) -> float:
        if self._committing is not None:
            return time.monotonic() - self._committing_since
        return time.monotonic() - self._batch_since if self._batch is not None else 0.0

    def close(self) -> None:
        self._closed = True
        self._commits.put(None)
        self._committer.join()
        if self._ops:
            done, self._batch = self._batch, None
            error = self._run(self._ops) or self._commit()
            self._ops = []
            if done is not None:
                settle(done, error)
        self._db.close()

    def _op(self, sql: str, row: tuple[Any, ...]) -> None:
        self._ops.append((sql, row))
        if self._batch is None:
            loop = asyncio.get_running_loop()
            self._batch = loop.create_future()
            self._batch_since = time.monotonic()
            # nobody need wait for a batch; a failure is logged here
            self._batch.add_done_callback(lambda future: future.cancelled() or future.exception())
            if self._committing is None:
                loop.call_soon(self._flush)

    def _flush(self) -> None:
        """Run the recorded statements and hand their COMMIT to the thread (at the start of a turn)."""
        if self._committing is not None or self._batch is None or self._closed:
            return
        ops, done = self._ops, self._batch
        self._ops, self._batch = [], None
        error = self._run(ops)
        if error is not None:
            settle(done, error)
            return
        self._committing, self._committing_since = done, time.monotonic()
        self._commits.put((asyncio.get_running_loop(), done))

    def _run(self, ops: list[tuple[str, tuple[Any, ...]]]) -> Exception | None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for sql, row in ops:
                self._db.execute(sql, row)
        except Exception as exc:
            log.exception("could not write %d session change(s) to the database", len(ops))
            return rolled_back(self._db, exc)
        return None

    def _commit(self) -> Exception | None:
        try:
            self._db.execute("COMMIT")
        except Exception as exc:
            log.exception("could not commit session changes to the database")
            return rolled_back(self._db, exc)
        return None

    def _commit_loop(self) -> None:
        while True:
            work = self._commits.get()
            if work is None:
                return
            loop, done = work
            error = self._commit()
            try:
                loop.call_soon_threadsafe(self._committed, done, error)
            except RuntimeError:  # the loop is closed: nobody waits any more
                pass

    def _committed(self, done: asyncio.Future[None], error: Exception | None) -> None:
        self._committing = None
        settle(done, error)
        self._flush()  # what was recorded meanwhile

