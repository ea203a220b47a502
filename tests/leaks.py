"""No process a test started outlives the run (for every suite: the root conftest.py loads this).

Every process the tests start inherits PYTEST_PROCESS_MARK (not MQTTGATE_: that is config),
fresh for each run, and so do
the processes those start (gunicorn's workers): at the end of the run, any process still alive
with this run's mark fails it, and is killed. The mark is found by each process's environment,
so an orphan that left the tree (a worker whose master was SIGKILLed) is found too.
"""

from __future__ import annotations

import os
import uuid

import psutil
import pytest

SESSION_MARK = "PYTEST_PROCESS_MARK"


def pytest_configure(config) -> None:
    os.environ[SESSION_MARK] = uuid.uuid4().hex


def marked_processes(mark: str) -> list[psutil.Process]:
    """The live processes, other than this one, started with PYTEST_PROCESS_MARK=mark."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.pid != os.getpid() and process.status() != psutil.STATUS_ZOMBIE \
                    and process.environ().get(SESSION_MARK) == mark:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


@pytest.fixture(scope="session", autouse=True)
def no_process_outlives_the_run():
    yield
    leftovers = marked_processes(os.environ[SESSION_MARK])
    _, leftovers = psutil.wait_procs(leftovers, timeout=5)  # those already on their way out
    described = []
    for process in leftovers:
        try:
            described.append(f"{process.pid} {' '.join(process.cmdline())[:200]}")
            process.kill()
        except psutil.NoSuchProcess:
            continue
    assert described == [], "processes the tests started are still running (now killed):\n" + "\n".join(described)
