"""Retained messages on disk: the `retained_messages` table, written through by one thread.

amqtt keeps retained messages in memory only. Every change is also queued here and
written, in order, by one writer thread with a connection of its own, which commits
whatever has queued up in one transaction: with `synchronous=FULL` a commit costs an
fsync, so MQTT publishers of retained messages never wait on the disk and a burst costs
one fsync. The event loop never blocks on SQLite; the API awaits the future of its own
write, so a change it answered for is on disk.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from mqttgate.broker.adapter import RetainedMessage
from mqttgate.broker.store import Store, rolled_back, settle

log = logging.getLogger(__name__)

_PUT = (
    "INSERT INTO retained_messages (topic, payload, qos, msgid, publish_at, from_clientid, from_username) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (topic) DO UPDATE SET payload = excluded.payload, "
    "qos = excluded.qos, msgid = excluded.msgid, publish_at = excluded.publish_at, "
    "from_clientid = excluded.from_clientid, from_username = excluded.from_username"
)
_DELETE = "DELETE FROM retained_messages WHERE topic = ?"


class RetainedStore:
    """The retained messages table and its writer thread.

    Args:
        store: the SQLite store (its migrations create the table).
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._db = store.connect()  # the writer's own
        self._writes: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_loop, name="mqttgate-retained", daemon=True)
        self._writer.start()

    def load(self) -> list[RetainedMessage]:
        """Every stored retained message, oldest topic first."""
        rows = self._store.db.execute(
            "SELECT topic, payload, qos, msgid, publish_at, from_clientid, from_username "
            "FROM retained_messages ORDER BY rowid"
        ).fetchall()
        return [RetainedMessage(topic=row["topic"], payload=bytes(row["payload"]), qos=row["qos"], msgid=row["msgid"],
                                publish_at=datetime.fromisoformat(row["publish_at"]),
                                from_clientid=row["from_clientid"], from_username=row["from_username"])
                for row in rows]

    def put(self, message: RetainedMessage) -> asyncio.Future[None]:
        """Store `message` as its topic's retained message; the future is done once it is on disk."""
        row = (message.topic, message.payload, message.qos, message.msgid, message.publish_at.isoformat(),
               message.from_clientid, message.from_username)
        return self._submit(_PUT, [row])

    def delete(self, topics: Iterable[str]) -> asyncio.Future[None]:
        """Delete the retained messages of `topics`; the future is done once that is on disk."""
        return self._submit(_DELETE, [(topic,) for topic in topics])

    def close(self) -> None:
        """Write what is queued, then stop the writer and close the connection."""
        self._writes.put(None)
        self._writer.join()
        self._db.close()

    def _submit(self, sql: str, rows: list[tuple[Any, ...]]) -> asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        # the writer logs a failure; a caller that does not wait for it need not see it again
        done.add_done_callback(lambda future: future.cancelled() or future.exception())
        self._writes.put((sql, rows, loop, done))
        return done

    def _write_loop(self) -> None:
        while True:
            batch = [self._writes.get()]
            while not self._writes.empty():
                batch.append(self._writes.get_nowait())
            writes = [write for write in batch if write is not None]
            error = self._commit(writes) if writes else None
            for _, _, loop, done in writes:
                try:
                    loop.call_soon_threadsafe(settle, done, error)
                except RuntimeError:  # the loop is closed: nobody waits any more
                    pass
            if len(writes) < len(batch):
                return

    def _commit(self, writes: list[tuple[Any, ...]]) -> Exception | None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for sql, rows, _, _ in writes:
                self._db.executemany(sql, rows)
            self._db.execute("COMMIT")
        except Exception as exc:
            log.exception("could not write %d retained message change(s) to the database", len(writes))
            return rolled_back(self._db, exc)
        return None

