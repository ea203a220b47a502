"""The monitor: a sample of the broker's gauges and message counts every `interval` seconds, kept in data_dir
for `retention` seconds (EMQX's /monitor and /monitor_current)."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from mqttgate.broker.ops.db import OpsDb

GAUGES = ("connections", "live_connections", "sessions", "subscriptions", "topics", "retained")
# EMQX's names for the message counts of a sample, and the counters (broker.metrics) they are taken from
COUNTS = {"received": "messages.received", "sent": "messages.sent", "dropped": "messages.dropped"}


@dataclass(frozen=True)
class Sample:
    """One node's gauges at `time_stamp` (epoch milliseconds), and the messages received, sent and
    dropped since the sample before it."""

    time_stamp: int
    connections: int
    live_connections: int
    sessions: int
    subscriptions: int
    topics: int
    retained: int
    received: int
    sent: int
    dropped: int


@dataclass(frozen=True)
class Current:
    """One node now: its gauges, and the message rates (per second) of the last sample's interval."""

    connections: int
    live_connections: int
    sessions: int
    subscriptions: int
    topics: int
    retained_msg_count: int
    received_msg_rate: float
    sent_msg_rate: float
    dropped_msg_rate: float


class Monitor:
    """Takes, stores and reads the samples of this node.

    Args:
        db: the operations database connection.
        node: this node's name.
        interval: seconds between samples.
        retention: seconds a sample is kept; older ones are deleted as new ones are written, so the
            table holds at most retention / interval rows per node.
    """

    def __init__(self, db: OpsDb, *, node: str, interval: float, retention: float) -> None:
        self._db, self.node, self.interval, self.retention = db, node, interval, retention
        self._last_counts: dict[str, int] | None = None
        self._last_at = 0.0
        self._rates = dict.fromkeys(COUNTS, 0.0)

    async def sample(self, stats: dict[str, int], metrics: dict[str, int]) -> Sample:
        """Record one sample from the broker's `stats()` and `metrics()`.

        Raises:
            sqlite3.Error: the store refused the write.
        """
        now = time.time()
        counts = {name: metrics[counter] for name, counter in COUNTS.items()}
        last = self._last_counts or dict.fromkeys(COUNTS, 0)  # the counters start at 0 with the broker
        # a counter lower than before means the broker restarted (a restore reloads it): count from 0
        delta = {name: counts[name] - last[name] if counts[name] >= last[name] else counts[name] for name in COUNTS}
        if self._last_counts is not None and now > self._last_at:
            self._rates = {name: delta[name] / (now - self._last_at) for name in COUNTS}
        self._last_counts, self._last_at = counts, now
        sample = Sample(int(now * 1000), *(stats[f"{gauge}.count"] for gauge in GAUGES), **delta)
        oldest = int((now - self.retention) * 1000)

        def write(db: sqlite3.Connection) -> None:
            with db:
                db.execute("BEGIN")
                db.execute(f"INSERT OR REPLACE INTO monitor_samples (node, at, {', '.join(GAUGES)}, "
                           f"{', '.join(COUNTS)}) VALUES (?, ?{', ?' * (len(GAUGES) + len(COUNTS))})",
                           (self.node, sample.time_stamp, *(getattr(sample, f) for f in (*GAUGES, *COUNTS))))
                db.execute("DELETE FROM monitor_samples WHERE at < ?", (oldest,))

        await self._db.run(write)
        return sample

    def current(self, stats: dict[str, int]) -> Current:
        """The gauges now, with the rates of the last interval sampled."""
        return Current(*(stats[f"{gauge}.count"] for gauge in GAUGES),
                       *(round(self._rates[name], 3) for name in COUNTS))

    async def history(self, *, latest: int | None, node: str | None = None) -> list[Sample]:
        """The samples of the last `latest` seconds (all kept, if None), oldest first; of one node or all."""
        since = 0 if latest is None else int((time.time() - latest) * 1000)

        def read(db: sqlite3.Connection) -> list[Sample]:
            where, args = "at >= ?", [since]
            if node is not None:
                where, args = where + " AND node = ?", [*args, node]
            rows = db.execute(f"SELECT at, {', '.join(GAUGES)}, {', '.join(COUNTS)} FROM monitor_samples "
                              f"WHERE {where} ORDER BY at", args).fetchall()
            return [Sample(*row) for row in rows]

        return await self._db.run(read)

