"""The operations tables (monitor samples, audit entries) on their own SQLite connection, off the event loop."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from mqttgate.broker.store import Store

T = TypeVar("T")


class OpsDb:
    """One connection to data_dir's database, used by one worker thread: a slow disk or a lock held by
    another process delays the history and the audit log, never the MQTT traffic on the loop.

    Args:
        store: the database (its schema is already migrated).
    """

    def __init__(self, store: Store) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mqttgate-ops-db")
        self._db = self._executor.submit(store.connect).result()

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(connection)` in the worker thread.

        Raises:
            sqlite3.Error: the database refused (locked past the busy timeout, full disk, damaged).
        """
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, self._db)

    def close(self) -> None:
        self._executor.submit(self._db.close).result()
        self._executor.shutdown()
