"""Files mqttgate writes in data_dir are private to its user, whatever the umask.

The database holds API key and password hashes and retained payloads; backups hold the
same; trace logs hold payloads. With the common umask 022 they were world-readable.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` (and its parents) if missing and make it 0700."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make an existing file 0600 (files made before mqttgate made its files private)."""
    if path.exists():
        os.chmod(path, FILE_MODE)
    return path


def open_private(path: Path, flags: int) -> int:
    """os.open with mode 0600; a file that exists already is made 0600 too."""
    fd = os.open(path, flags | os.O_CREAT, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return fd


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to a new 0600 file at `path` (replacing one there)."""
    with os.fdopen(open_private(path, os.O_WRONLY | os.O_TRUNC), "wb") as file:
        file.write(data)
