"""The host and this process as `/nodes` shows them: memory, load, file descriptors."""

from __future__ import annotations

import resource
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class HostStats:
    """Memory and load of the host, and this process's memory and file descriptor limit.

    Attributes:
        memory_total: the host's memory, bytes.
        memory_used: the host's memory in use (total less available), bytes.
        process_memory: this process's resident memory, bytes.
        load1: load average over 1 minute (5 and 15 alike).
        max_fds: this process's soft limit of open files; 0 for none.
    """

    memory_total: int
    memory_used: int
    process_memory: int
    load1: float
    load5: float
    load15: float
    max_fds: int


def host_stats() -> HostStats:
    """Read them now (from /proc on Linux: microseconds)."""
    memory = psutil.virtual_memory()
    load1, load5, load15 = psutil.getloadavg()
    max_fds = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return HostStats(
        memory_total=memory.total, memory_used=memory.total - memory.available,
        process_memory=psutil.Process().memory_info().rss,
        load1=round(load1, 2), load5=round(load5, 2), load15=round(load15, 2),
        max_fds=0 if max_fds == resource.RLIM_INFINITY else max_fds,
    )
