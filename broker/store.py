"""SQLite persistence for what must survive a restart.

One file, `mqttgate.db` in data_dir, in WAL mode with full sync: a row is on disk when a
write returns. Schema changes are numbered migrations run at open.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

from mqttgate.broker.files import open_private, private_dir, private_file

_MIGRATIONS: list[str] = [
    """
    CREATE TABLE api_keys (
        name        TEXT PRIMARY KEY,
        api_key     TEXT NOT NULL UNIQUE,
        secret_hash TEXT NOT NULL,
        role        TEXT NOT NULL DEFAULT 'administrator',
        enable      INTEGER NOT NULL DEFAULT 1,
        expired_at  TEXT,
        description TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL
    );
    """,
    """
    CREATE TABLE traces (
        name           TEXT PRIMARY KEY,
        type           TEXT NOT NULL,
        filter         TEXT NOT NULL,
        start_at       TEXT NOT NULL,
        end_at         TEXT NOT NULL,
        payload_encode TEXT NOT NULL,
        stopped_at     TEXT
    );
    """,
    # access control: bans, MQTT users (argon2 hashes only), ACL rules (a JSON list per subject)
    """
    CREATE TABLE banned (
        kind      TEXT NOT NULL,
        who       TEXT NOT NULL,
        banned_by TEXT NOT NULL,
        reason    TEXT NOT NULL DEFAULT '',
        at        TEXT NOT NULL,
        until     TEXT,
        PRIMARY KEY (kind, who)
    );
    CREATE TABLE mqtt_users (
        user_id       TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        is_superuser  INTEGER NOT NULL DEFAULT 0,
        created_at    TEXT NOT NULL
    );
    CREATE TABLE acl_rules (
        kind  TEXT NOT NULL,
        who   TEXT NOT NULL,
        rules TEXT NOT NULL,
        PRIMARY KEY (kind, who)
    );
    """,
    """
    CREATE TABLE retained_messages (
        topic         TEXT PRIMARY KEY,
        payload       BLOB NOT NULL,
        qos           INTEGER NOT NULL,
        msgid         TEXT NOT NULL,
        publish_at    TEXT NOT NULL,
        from_clientid TEXT,
        from_username TEXT
    );
    """,
    # persistent sessions (clean_session 0): the session, its subscriptions, its messages
    # (queued: packet_id NULL; in flight: the packet id, pubrel 1 once PUBREC came) and the
    # packet ids of inbound QoS 2 messages awaiting PUBREL
    """
    CREATE TABLE sessions (
        clientid        TEXT PRIMARY KEY,
        username        TEXT,
        superuser       INTEGER NOT NULL DEFAULT 0,
        created_at      TEXT NOT NULL,
        disconnected_at TEXT
    );
    CREATE TABLE session_subscriptions (
        clientid TEXT NOT NULL,
        topic    TEXT NOT NULL,
        qos      INTEGER NOT NULL,
        PRIMARY KEY (clientid, topic)
    );
    CREATE TABLE session_messages (
        id            INTEGER PRIMARY KEY,
        clientid      TEXT NOT NULL,
        topic         TEXT NOT NULL,
        payload       BLOB NOT NULL,
        qos           INTEGER NOT NULL,
        retain        INTEGER NOT NULL,
        msgid         TEXT NOT NULL,
        publish_at    TEXT NOT NULL,
        from_clientid TEXT,
        from_username TEXT,
        packet_id     INTEGER,
        pubrel        INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX session_messages_by_client ON session_messages (clientid, id);
    CREATE TABLE session_incoming (
        clientid  TEXT NOT NULL,
        packet_id INTEGER NOT NULL,
        PRIMARY KEY (clientid, packet_id)
    ) WITHOUT ROWID;
    """,
    # operations: the monitor's samples, the audit log; both pruned to a bound as they grow
    """
    CREATE TABLE monitor_samples (
        node             TEXT NOT NULL,
        at               INTEGER NOT NULL,
        connections      INTEGER NOT NULL,
        live_connections INTEGER NOT NULL,
        sessions         INTEGER NOT NULL,
        subscriptions    INTEGER NOT NULL,
        topics           INTEGER NOT NULL,
        retained         INTEGER NOT NULL,
        received         INTEGER NOT NULL,
        sent             INTEGER NOT NULL,
        dropped          INTEGER NOT NULL,
        PRIMARY KEY (node, at)
    );
    CREATE TABLE audit_log (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at       INTEGER NOT NULL,
        node             TEXT NOT NULL,
        origin           TEXT NOT NULL,
        source           TEXT NOT NULL,
        source_ip        TEXT NOT NULL,
        operation_id     TEXT NOT NULL,
        operation_type   TEXT NOT NULL,
        operation_result TEXT NOT NULL,
        http_method      TEXT NOT NULL,
        http_status_code INTEGER NOT NULL,
        http_request     TEXT NOT NULL,
        duration_ms      INTEGER NOT NULL
    );
    CREATE INDEX audit_log_created_at ON audit_log (created_at);
    """,
]


class Store:
    """The SQLite database in data_dir.

    Args:
        path: the database file; its folder is created if missing.
    """

    def __init__(self, path: Path) -> None:
        private_dir(path.parent)
        # SQLite gives the -wal and -shm files the mode of the database file: 0600 for all three
        os.close(open_private(path, os.O_RDWR))
        for suffix in ("-wal", "-shm"):
            private_file(path.with_name(path.name + suffix))
        self.path = path
        self.db = self.connect()
        self.migrate(self.db)

    def connect(self) -> sqlite3.Connection:
        """A connection to the database (WAL, full sync, autocommit); `db` is the shared one."""
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        return db

    @staticmethod
    def schema_version() -> int:
        """The schema version this mqttgate writes."""
        return len(_MIGRATIONS)

    @staticmethod
    def migrate(db: sqlite3.Connection) -> None:
        """Bring a database's schema up to this mqttgate's version."""
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
            db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")

    def close(self) -> None:
        self.db.close()


def rolled_back(db: sqlite3.Connection, error: Exception) -> Exception:
    """Undo the transaction a failed write left open; the error, for the write's waiters."""
    if db.in_transaction:
        db.execute("ROLLBACK")
    return error


def settle(done: asyncio.Future[None], error: Exception | None) -> None:
    """Complete a write's future with its outcome, unless its waiter has given up on it."""
    if done.done():
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)
