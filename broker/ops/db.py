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
        self._closed = False

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(connection)` in the worker thread.

        Raises:
            sqlite3.Error: the database refused (locked past the busy timeout, full disk, damaged), or
                it is closed (a request finishing while mqttgate stops).
        """
        if self._closed:
            raise sqlite3.ProgrammingError("the operations database is closed: mqttgate is stopping")
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, self._db)

    def close(self) -> None:
        self._closed = True
        self._executor.submit(self._db.close).result()
        self._executor.shutdown()
