"""The operations of one node: the monitor's sampling loop, and the conditions it raises and clears alarms on."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import psutil

from mqttgate.broker.adapter import BrokerAdapter
from mqttgate.broker.errors import BrokerUnavailable
from mqttgate.broker.ops.alarms import Alarms
from mqttgate.broker.ops.audit import AuditEntry, AuditLog
from mqttgate.broker.ops.db import OpsDb
from mqttgate.broker.ops.monitor import Monitor
from mqttgate.broker.store import Store

log = logging.getLogger("mqttgate.ops")

STORE_FAILED = "store_failed"
BACKUP_FAILED = "backup_failed"
QUEUE_DROPPING = "offline_queue_dropping"
SYSTEM_MEMORY = "high_system_memory_usage"
PROCESS_MEMORY = "high_process_memory_usage"
LISTENER_FULL = "listener_connections_high/"
TRACE_FAILED = "trace_failed/"


@dataclass(frozen=True)
class Thresholds:
    """When alarms go off (EMQX's `sysmon` watermarks, as fractions).

    Attributes:
        system_memory: the host's used memory, of its total.
        process_memory: this process's resident memory, of the host's total.
        listener_connections: an MQTT listener's connections, of its max_connections (those with one).
    """

    system_memory: float = 0.7
    process_memory: float = 0.05
    listener_connections: float = 0.9


class Operations:
    """Monitor, alarms and audit log of this node, and the loop that samples and checks every `interval`.

    Args:
        store: data_dir's database.
        broker: the running broker.
        node: this node's name.
        interval: seconds between samples (and checks).
        retention: seconds samples are kept.
        thresholds: when the memory and listener alarms go off.
        audit_max_entries: audit entries kept.
        alarm_size_limit: deactivated alarms kept.
    """

    def __init__(self, store: Store, broker: BrokerAdapter, *, node: str, interval: float = 10.0,
                 retention: float = 7 * 86400, thresholds: Thresholds = Thresholds(),
                 audit_max_entries: int = 5000, alarm_size_limit: int = 1000) -> None:
        self.db = OpsDb(store)
        self.broker, self.node, self.thresholds = broker, node, thresholds
        self.monitor = Monitor(self.db, node=node, interval=interval, retention=retention)
        self.alarms = Alarms(node, size_limit=alarm_size_limit)
        self.audit = AuditLog(self.db, max_entries=audit_max_entries)
        self._queue_dropped: int | None = None
        self._process = psutil.Process()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="mqttgate-monitor")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.db.close()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.monitor.interval)
            try:
                await self.tick()
            except Exception:  # one bad check must not end the sampling
                log.exception("monitor tick failed")

    async def tick(self) -> None:
        """Take one sample and check every condition."""
        try:
            stats, metrics = self.broker.stats(), self.broker.metrics()
        except BrokerUnavailable:
            return
        await self.storing("monitor sample", self.monitor.sample(stats, metrics))
        self._check_memory()
        self._check_listeners()
        self._check_queues(metrics)

    async def storing(self, what: str, write: Awaitable[Any]) -> bool:
        """Await a write to the store, raising the store alarm if it fails and clearing it once one works."""
        try:
            await write
        except sqlite3.Error as exc:
            self.alarms.activate(STORE_FAILED, f"the database in data_dir refused a write: {exc}",
                                 {"write": what, "error": str(exc)})
            return False
        self.alarms.deactivate(STORE_FAILED)
        return True

    async def record_audit(self, entry: AuditEntry) -> None:
        await self.storing("audit entry", self.audit.record(entry))

    def _check_memory(self) -> None:
        memory = psutil.virtual_memory()
        used = (memory.total - memory.available) / memory.total
        self._watermark(SYSTEM_MEMORY, used, self.thresholds.system_memory, "system memory in use")
        rss = self._process.memory_info().rss
        self._watermark(PROCESS_MEMORY, rss / memory.total, self.thresholds.process_memory,
                        "mqttgate's resident memory, of the system's", {"rss": rss})

    def _watermark(self, name: str, value: float, high: float, what: str, extra: dict[str, Any] | None = None) -> None:
        if value >= high:
            self.alarms.activate(name, f"{what} is {value:.1%}, at or over the {high:.1%} watermark",
                                 {"usage": round(value, 4), "high_watermark": high, **(extra or {})})
        else:
            self.alarms.deactivate(name)

    def _check_listeners(self) -> None:
        full = set()
        for listener in self.broker.status().listeners:
            if listener.max_connections <= 0:
                continue
            name = LISTENER_FULL + listener.name
            used = listener.current_connections / listener.max_connections
            if used >= self.thresholds.listener_connections:
                full.add(name)
                self.alarms.activate(name, f"MQTT listener {listener.name} holds {listener.current_connections} "
                                           f"of its {listener.max_connections} connections",
                                     {"listener": listener.name, "current_connections": listener.current_connections,
                                      "max_connections": listener.max_connections})
        self.alarms.deactivate_matching(LISTENER_FULL, keep=full)

    def _check_queues(self, metrics: dict[str, int]) -> None:
        dropped = metrics["delivery.dropped.queue_full"]
        before, self._queue_dropped = self._queue_dropped, dropped
        if before is not None and dropped > before:
            self.alarms.activate(QUEUE_DROPPING, f"full offline queues dropped {dropped - before} message(s) in the "
                                                 f"last {self.monitor.interval:g}s (mqtt.max_mqueue_len)",
                                 {"dropped": dropped - before})
        elif before is not None:
            self.alarms.deactivate(QUEUE_DROPPING)

    def watch_backups(self, backups: Any) -> None:
        """Raise the backup alarm when a backup cannot be written, and clear it at the next that is."""
        export: Callable[[], Awaitable[Any]] = backups.export

        async def watched_export() -> Any:
            try:
                made = await export()
            except Exception as exc:
                self.alarms.activate(BACKUP_FAILED, f"a backup could not be written: {exc}", {"error": str(exc)})
                raise
            self.alarms.deactivate(BACKUP_FAILED)
            return made

        backups.export = watched_export

    def trace_result(self, name: str, error: Exception | None) -> None:
        """The tracer's report on writing trace `name`'s log (None: it worked)."""
        if error is None:
            self.alarms.deactivate(TRACE_FAILED + name)
        else:
            self.alarms.activate(TRACE_FAILED + name, f"trace {name} cannot write its log: {error}",
                                 {"trace": name, "error": str(error)})
