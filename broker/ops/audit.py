"""The audit log (EMQX 5.3's): every change made through the API or the command line, never a secret."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from mqttgate.broker.adapter import Page
from mqttgate.broker.ops.db import OpsDb

# EMQX's filters of GET /audit, by the column each compares, and how
_EXACT = {"node": "node", "from": "origin", "source": "source", "source_ip": "source_ip",
          "operation_id": "operation_id", "operation_type": "operation_type", "operation_result": "operation_result",
          "http_status_code": "http_status_code", "http_method": "http_method"}
_BOUNDS = {"gte_created_at": ("created_at", ">="), "lte_created_at": ("created_at", "<="),
           "gte_duration_ms": ("duration_ms", ">="), "lte_duration_ms": ("duration_ms", "<=")}


@dataclass(frozen=True)
class AuditEntry:
    """One change.

    Attributes:
        created_at: epoch milliseconds.
        origin: `rest_api` or `cli` (EMQX's `from`).
        source: who: the API key's name, or the user running the command line.
        source_ip: where from (the command line run offline: empty).
        operation_id: the API's operationId, or the command (`api_key.create`).
        operation_type: the first segment of the path, or the command's group.
        operation_result: `success` or `failure`.
        http_request: the method, path and query (never a body: bodies carry secrets).
    """

    created_at: int
    node: str
    origin: str
    source: str
    source_ip: str
    operation_id: str
    operation_type: str
    operation_result: str
    http_method: str
    http_status_code: int
    duration_ms: int
    http_request: dict[str, Any] = field(default_factory=dict)


def insert(db: sqlite3.Connection, entry: AuditEntry, max_entries: int) -> None:
    """Write one entry, and delete the oldest past `max_entries`."""
    with db:
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO audit_log (created_at, node, origin, source, source_ip, operation_id, operation_type, "
            "operation_result, http_method, http_status_code, http_request, duration_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry.created_at, entry.node, entry.origin, entry.source, entry.source_ip, entry.operation_id,
             entry.operation_type, entry.operation_result, entry.http_method, entry.http_status_code,
             json.dumps(entry.http_request), entry.duration_ms))
        db.execute("DELETE FROM audit_log WHERE id <= (SELECT MAX(id) FROM audit_log) - ?", (max_entries,))


class AuditLog:
    """The audit entries in data_dir's database.

    Args:
        db: the operations database connection.
        max_entries: entries kept; past it the oldest are deleted.
    """

    def __init__(self, db: OpsDb, *, max_entries: int) -> None:
        self._db, self.max_entries = db, max_entries

    async def record(self, entry: AuditEntry) -> None:
        """Keep `entry`.

        Raises:
            sqlite3.Error: the store refused the write.
        """
        await self._db.run(lambda db: insert(db, entry, self.max_entries))

    async def list(self, filters: dict[str, Any], *, page: int, limit: int) -> Page[AuditEntry]:
        """A page of entries, newest first, that match every filter given (EMQX's names)."""
        clauses, args = [], []
        for name, value in filters.items():
            if value is None:
                continue
            if name in _EXACT:
                clauses.append(f"{_EXACT[name]} = ?")
            else:
                column, op = _BOUNDS[name]
                clauses.append(f"{column} {op} ?")
            args.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""

        def read(db: sqlite3.Connection) -> Page[AuditEntry]:
            rows = db.execute(f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                              [*args, limit + 1, (page - 1) * limit]).fetchall()
            count = db.execute(f"SELECT COUNT(*) FROM audit_log {where}", args).fetchone()[0]
            return Page([_entry(row) for row in rows[:limit]], hasnext=len(rows) > limit, count=count)

        return await self._db.run(read)


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(row["created_at"], row["node"], row["origin"], row["source"], row["source_ip"],
                      row["operation_id"], row["operation_type"], row["operation_result"], row["http_method"],
                      row["http_status_code"], row["duration_ms"], json.loads(row["http_request"]))


def now_ms() -> int:
    return int(time.time() * 1000)
