"""Trace recordings: MQTT packet events of chosen clients, topics or addresses, to log files.

A trace is defined once (stored in SQLite) and records while `start_at <= now < end_at`
and it is not stopped. The broker calls `Tracer.record` at each packet event; with no
trace defined that is one truth test, and otherwise a time comparison and a match per
trace, so clients that match nothing are not slowed.
"""

from __future__ import annotations

import io
import logging
import os
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from mqttgate.broker.errors import AlreadyExists, ExceedLimit, InvalidRequest, TraceNotFound
from mqttgate.broker.files import open_private, private_dir
from mqttgate.broker.store import Store
from mqttgate.broker.topics import matches

log = logging.getLogger(__name__)

TraceType = Literal["clientid", "topic", "ip_address"]
PayloadEncode = Literal["text", "hex", "hidden"]


@dataclass(frozen=True)
class Trace:
    """A trace recording as defined; `status` and `log_size` are read at the time asked."""

    name: str
    type: TraceType
    filter: str
    start_at: datetime
    end_at: datetime
    payload_encode: PayloadEncode
    stopped_at: datetime | None = None

    def status(self, now: datetime) -> Literal["waiting", "running", "stopped"]:
        if self.stopped_at is not None or now >= self.end_at:
            return "stopped"
        return "waiting" if now < self.start_at else "running"


@dataclass(frozen=True)
class TraceView:
    """A trace with its status and log size at one moment."""

    trace: Trace
    status: str
    log_size: int


class Tracer:
    """The trace recordings of one broker.

    Args:
        store: the SQLite store, where definitions live.
        directory: where log files live (one `<name>.log` per trace).
        max_traces: how many traces may be defined at once.
        max_log_size: bytes a trace's log may grow to; past it nothing more is written.
    """

    def __init__(self, store: Store, directory: Path, *, max_traces: int = 30,
                 max_log_size: int = 10 * 1024 * 1024) -> None:
        self._db = store.db
        self._dir = directory
        private_dir(self._dir)
        self.max_traces = max_traces
        self.max_log_size = max_log_size
        self._traces: dict[str, Trace] = {}
        self._files: dict[str, io.BufferedWriter] = {}
        # told of a trace whose log cannot be written, and of it working again (the alarms)
        self.on_write_result: Callable[[str, OSError | None], None] | None = None
        self._failing: set[str] = set()
        # told of every definition made, stopped or deleted here (its name, and its record or None): a
        # cluster shares it; each node records what passes through it in its own log
        self.on_change: Callable[[str, dict[str, Any] | None], None] | None = None
        # in a cluster: every live node's log of a trace ({node: log}, the nodes that did not answer)
        self.gather: Callable[[str], Awaitable[tuple[dict[str, bytes], list[str]]]] | None = None
        self.reload()

    def reload(self) -> None:
        """Read the definitions again from the store (after a restore)."""
        self.close()
        self._traces = {row["name"]: _trace(row) for row in self._db.execute("SELECT * FROM traces ORDER BY rowid")}

    def close(self) -> None:
        for file in self._files.values():
            file.close()
        self._files.clear()

    def create(self, trace: Trace, now: datetime) -> TraceView:
        """Define a trace.

        Raises:
            AlreadyExists: a trace has that name.
            ExceedLimit: `max_traces` are defined already.
            InvalidRequest: end_at is not after start_at and now.
        """
        if trace.name in self._traces:
            raise AlreadyExists(f"A trace named {trace.name!r} exists")
        if len(self._traces) >= self.max_traces:
            raise ExceedLimit(f"At most {self.max_traces} traces; delete one first")
        if trace.end_at <= trace.start_at or trace.end_at <= now:
            raise InvalidRequest("end_at must be later than start_at and than now")
        self._db.execute(
            "INSERT INTO traces (name, type, filter, start_at, end_at, payload_encode) VALUES (?, ?, ?, ?, ?, ?)",
            (trace.name, trace.type, trace.filter, trace.start_at.isoformat(), trace.end_at.isoformat(),
             trace.payload_encode),
        )
        self._log_path(trace.name).unlink(missing_ok=True)
        self._traces[trace.name] = trace
        self._changed(trace.name)
        return self._view(trace, now)

    def list(self, now: datetime) -> list[TraceView]:
        return [self._view(trace, now) for trace in self._traces.values()]

    def get(self, name: str, now: datetime) -> TraceView:
        return self._view(self._get(name), now)

    def stop(self, name: str, now: datetime) -> TraceView:
        trace = self._get(name)
        if trace.stopped_at is None:
            trace = replace(trace, stopped_at=now)
            self._db.execute("UPDATE traces SET stopped_at = ? WHERE name = ?", (now.isoformat(), name))
            self._traces[name] = trace
            self._close_file(name)
            self._changed(name)
        return self._view(trace, now)

    def delete(self, name: str) -> None:
        self._get(name)
        self._drop(name)
        self._changed(name)

    def records(self) -> dict[str, dict[str, Any]]:
        """Every definition as a plain record, by name."""
        return {name: _record(trace) for name, trace in self._traces.items()}

    def apply(self, record: dict[str, Any]) -> None:
        """Hold a definition made or stopped elsewhere (another node of a cluster); `on_change` is not told."""
        trace = Trace(name=record["name"], type=record["type"], filter=record["filter"],
                      start_at=datetime.fromisoformat(record["start_at"]),
                      end_at=datetime.fromisoformat(record["end_at"]), payload_encode=record["payload_encode"],
                      stopped_at=datetime.fromisoformat(record["stopped_at"]) if record["stopped_at"] else None)
        self._db.execute(
            "INSERT INTO traces (name, type, filter, start_at, end_at, payload_encode, stopped_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET type = excluded.type, "
            "filter = excluded.filter, start_at = excluded.start_at, end_at = excluded.end_at, "
            "payload_encode = excluded.payload_encode, stopped_at = excluded.stopped_at",
            (trace.name, trace.type, trace.filter, trace.start_at.isoformat(), trace.end_at.isoformat(),
             trace.payload_encode, record["stopped_at"]),
        )
        if trace.name not in self._traces:  # a new trace: a log left by an old one of that name goes
            self._log_path(trace.name).unlink(missing_ok=True)
        self._traces[trace.name] = trace
        if trace.stopped_at is not None:
            self._close_file(trace.name)

    def forget(self, name: str) -> None:
        """Drop a definition deleted elsewhere (another node of a cluster), and this node's log of it."""
        if name in self._traces:
            self._drop(name)

    def _changed(self, name: str) -> None:
        if self.on_change is not None:
            trace = self._traces.get(name)
            self.on_change(name, _record(trace) if trace is not None else None)

    def _drop(self, name: str) -> None:
        self._db.execute("DELETE FROM traces WHERE name = ?", (name,))
        del self._traces[name]
        self._close_file(name)
        self._log_path(name).unlink(missing_ok=True)
        if name in self._failing:  # nothing left to fail
            self._failing.discard(name)
            if self.on_write_result is not None:
                self.on_write_result(name, None)

    def read_log(self, name: str, position: int, size: int) -> tuple[bytes, int]:
        """Up to `size` bytes of the log from `position`; the bytes and the next position."""
        self._get(name)
        self._flush(name)
        path = self._log_path(name)
        if not path.exists():
            return b"", position
        with path.open("rb") as file:
            file.seek(position)
            data = file.read(size)
        return data, position + len(data)

    def zipped_log(self, name: str) -> bytes:
        """The log file in a zip archive."""
        self._get(name)
        self._flush(name)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            path = self._log_path(name)
            archive.writestr(f"{name}.log", path.read_bytes() if path.exists() else b"")
        return buffer.getvalue()

    async def zipped_logs(self, name: str) -> bytes:
        """The log in a zip archive; in a cluster, every node's log, each as `<node>/<name>.log`.

        A node that did not answer in time is named in `missing_nodes.txt` in the archive.
        """
        if self.gather is None:
            return self.zipped_log(name)
        self._get(name)
        logs, missing = await self.gather(name)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for node in sorted(logs):
                archive.writestr(f"{node}/{name}.log", logs[node])
            if missing:
                archive.writestr("missing_nodes.txt", "".join(f"{node}\n" for node in missing))
        return buffer.getvalue()

    def record(self, event: str, clientid: str | None, ip_address: str | None, topic: str | None = None,
               payload: bytes | None = None, qos: int | None = None) -> None:
        """Append one packet event to every running trace it matches."""
        if not self._traces:
            return
        now = datetime.now(UTC)
        for trace in self._traces.values():
            if not (trace.start_at <= now < trace.end_at and trace.stopped_at is None):
                continue
            if trace.type == "clientid":
                hit = clientid == trace.filter
            elif trace.type == "ip_address":
                hit = ip_address == trace.filter
            else:
                hit = topic is not None and matches(topic, trace.filter)
            if hit:
                self._write(trace, _line(now, event, clientid, ip_address, topic, payload, qos, trace.payload_encode))

    def _write(self, trace: Trace, line: bytes) -> None:
        # called on the MQTT packet path: a log that cannot be written (folder gone, disk full)
        # must not fail the packet, so the error is reported and the event passed over
        try:
            file = self._files.get(trace.name)
            if file is None:
                fd = open_private(self._log_path(trace.name), os.O_WRONLY | os.O_APPEND)
                file = self._files[trace.name] = os.fdopen(fd, "ab")
            if file.tell() + len(line) <= self.max_log_size:
                file.write(line)
        except OSError as exc:
            if trace.name not in self._failing:
                self._failing.add(trace.name)
                log.error("trace %s cannot write its log: %s", trace.name, exc)
                if self.on_write_result is not None:
                    self.on_write_result(trace.name, exc)
            return
        if trace.name in self._failing:
            self._failing.discard(trace.name)
            if self.on_write_result is not None:
                self.on_write_result(trace.name, None)

    def _flush(self, name: str) -> None:
        if name in self._files:
            self._files[name].flush()

    def _close_file(self, name: str) -> None:
        file = self._files.pop(name, None)
        if file is not None:
            file.close()

    def _get(self, name: str) -> Trace:
        trace = self._traces.get(name)
        if trace is None:
            raise TraceNotFound()
        return trace

    def _view(self, trace: Trace, now: datetime) -> TraceView:
        self._flush(trace.name)
        path = self._log_path(trace.name)
        return TraceView(trace, trace.status(now), path.stat().st_size if path.exists() else 0)

    def _log_path(self, name: str) -> Path:
        return self._dir / f"{os.path.basename(name)}.log"


def _trace(row: object) -> Trace:
    return Trace(
        name=row["name"], type=row["type"], filter=row["filter"],
        start_at=datetime.fromisoformat(row["start_at"]), end_at=datetime.fromisoformat(row["end_at"]),
        payload_encode=row["payload_encode"],
        stopped_at=datetime.fromisoformat(row["stopped_at"]) if row["stopped_at"] else None,
    )


def _record(trace: Trace) -> dict[str, Any]:
    return {"name": trace.name, "type": trace.type, "filter": trace.filter, "start_at": trace.start_at.isoformat(),
            "end_at": trace.end_at.isoformat(), "payload_encode": trace.payload_encode,
            "stopped_at": trace.stopped_at.isoformat() if trace.stopped_at else None}


def _line(now: datetime, event: str, clientid: str | None, ip_address: str | None, topic: str | None,
          payload: bytes | None, qos: int | None, encode: str) -> bytes:
    parts = [now.isoformat(timespec="milliseconds"), f"[{event}]", f"clientid={clientid}", f"ip={ip_address}"]
    if topic is not None:
        parts.append(f"topic={topic}")
    if qos is not None:
        parts.append(f"qos={qos}")
    if payload is not None:
        if encode == "hex":
            parts.append(f"payload={bytes(payload).hex()}")
        elif encode == "text":
            parts.append(f"payload={bytes(payload).decode('utf-8', 'backslashreplace')!r}")
    return (" ".join(parts) + "\n").encode("utf-8", "backslashreplace")
