"""Backups of all persistent state: one tar.gz with a manifest, taken and restored live.

A backup holds `mqttgate.db` (a consistent snapshot by SQLite's online backup API, taken
on its own connection so the broker goes on), `config.json` (the configuration in force,
for reference: a restore does not rewrite the config file) and `manifest.json` (format,
versions, time, node, and a SHA-256 and size per file). A restore checks all of it first,
then copies the snapshot into the live database in one step and tells the broker to load it.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
import sqlite3
import tarfile
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from mqttgate.broker.adapter import Page
from mqttgate.broker.errors import AlreadyExists, BackupNotFound, InvalidRequest
from mqttgate.broker.files import private_dir, write_private
from mqttgate.broker.store import Store

FORMAT = "mqttgate-backup"
FORMAT_VERSION = 1
MEMBERS = ("manifest.json", "mqttgate.db", "config.json")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.tar\.gz$")


@dataclass(frozen=True)
class BackupFile:
    """A backup file in data_dir/backups."""

    filename: str
    node: str
    created_at: datetime
    size: int


class Backups:
    """Backup files of one mqttgate.

    Args:
        store: the live SQLite store.
        directory: where backup files live.
        node: this node's name, written in manifests.
        version: mqttgate's version, written in manifests.
        config: the configuration in force (JSON-ready), kept in each backup.
        on_restore: called after a restore, so that the running parts load the restored state.
    """

    def __init__(self, store: Store, directory: Path, *, node: str, version: str, config: dict[str, Any],
                 on_restore: Sequence[Callable[[], Awaitable[None] | None]] = ()) -> None:
        self._store = store
        self.directory = directory
        self._node = node
        self._version = version
        self._config = config
        self._on_restore = list(on_restore)

    async def export(self) -> BackupFile:
        """Write a new backup file; the broker keeps running meanwhile."""
        now = datetime.now(UTC)
        filename = f"{self._node.replace('@', '-')}-{now.strftime('%Y%m%dT%H%M%S.%f')}.tar.gz"
        filename = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
        data = await asyncio.to_thread(self._build, now)
        private_dir(self.directory)
        path = self.directory / filename
        tmp = path.with_suffix(".part")
        write_private(tmp, data)
        tmp.replace(path)
        return BackupFile(filename, self._node, now, len(data))

    def _build(self, now: datetime) -> bytes:
        with tempfile.TemporaryDirectory() as scratch:
            snapshot = Path(scratch) / "mqttgate.db"
            source = sqlite3.connect(self._store.path)
            target = sqlite3.connect(snapshot)
            try:
                source.backup(target)  # one step: one read transaction, one consistent snapshot
            finally:
                target.close()
                source.close()
            files = {"mqttgate.db": snapshot.read_bytes(),
                     "config.json": json.dumps(self._config, indent=2, default=str).encode()}
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "mqttgate_version": self._version,
            "node": self._node, "created_at": now.isoformat(),
            "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                      for name, data in files.items()},
        }
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for name, data in [("manifest.json", json.dumps(manifest, indent=2).encode()), *files.items()]:
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
                archive.addfile(info, io.BytesIO(data))
        return buffer.getvalue()

    def list(self, *, page: int, limit: int) -> Page[BackupFile]:
        paths = sorted(self.directory.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True) \
            if self.directory.exists() else []
        start = (page - 1) * limit
        chunk = list(islice(paths, start, start + limit))
        return Page(items=[self._describe(p) for p in chunk], hasnext=len(paths) > start + limit, count=len(paths))

    def path(self, filename: str) -> Path:
        """The file of a backup.

        Raises:
            InvalidRequest: not a backup file name.
            BackupNotFound: no such file.
        """
        path = self.directory / check_name(filename)
        if not path.is_file():
            raise BackupNotFound()
        return path

    def adopt(self, source: str) -> str:
        """The name of a backup file: `source` itself if it is in the directory, else a copy of
        the file at path `source` put there (checked whole first)."""
        if (self.directory / source).is_file() and NAME.match(source):
            return source
        path = Path(source)
        if not path.is_file():
            raise BackupNotFound()
        if not (self.directory / path.name).exists():
            self.upload(path.name, path.read_bytes())
        return path.name

    def delete(self, filename: str) -> None:
        self.path(filename).unlink()

    def upload(self, filename: str, data: bytes) -> BackupFile:
        """Keep an uploaded backup file, once it has been checked whole.

        Raises:
            InvalidRequest: a bad name, or not a sound mqttgate backup.
            AlreadyExists: a file has that name.
        """
        path = self.directory / check_name(filename)
        if path.exists():
            raise AlreadyExists(f"A backup file named {filename!r} exists")
        manifest, _ = read_backup(data)
        private_dir(self.directory)
        tmp = path.with_suffix(".part")
        write_private(tmp, data)
        tmp.replace(path)
        return BackupFile(filename, manifest["node"], datetime.fromisoformat(manifest["created_at"]), len(data))

    async def restore(self, filename: str) -> None:
        """Replace the live state with the backup's, and have the broker apply it at once.

        Raises:
            InvalidRequest: the file is not a sound mqttgate backup (nothing is changed).
            BackupNotFound: no such file.
        """
        _, database = read_backup(self.path(filename).read_bytes())
        restore_database(database, self._store.db)
        for hook in self._on_restore:
            result = hook()
            if result is not None:
                await result

    def _describe(self, path: Path) -> BackupFile:
        stat = path.stat()
        try:
            manifest, _ = read_backup(path.read_bytes(), check_database=False)
            return BackupFile(path.name, manifest["node"], datetime.fromisoformat(manifest["created_at"]),
                              stat.st_size)
        except InvalidRequest:
            return BackupFile(path.name, "unknown", datetime.fromtimestamp(stat.st_mtime, UTC), stat.st_size)


def check_name(filename: str) -> str:
    """The name if it can be a backup file's: no folders, no traversal, ends in .tar.gz."""
    if not NAME.match(filename) or ".." in filename:
        raise InvalidRequest(f"Invalid backup file name {filename!r}: letters, digits, '.', '_', '-', "
                             "ending in .tar.gz")
    return filename


def read_backup(data: bytes, *, check_database: bool = True) -> tuple[dict[str, Any], bytes]:
    """The manifest and the database of a backup archive, every check passed.

    Raises:
        InvalidRequest: not a gzip tar, unexpected members, no or foreign manifest,
            a checksum or size that does not match, or a database SQLite refuses.
    """
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            members = archive.getmembers()
            names = [m.name for m in members]
            if sorted(names) != sorted(MEMBERS) or not all(m.isfile() for m in members):
                raise InvalidRequest(f"Not an mqttgate backup: it holds {names[:5]}, expected {list(MEMBERS)}")
            files = {m.name: archive.extractfile(m).read() for m in members}
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise InvalidRequest(f"Not a readable tar.gz backup: {exc}") from None
    try:
        manifest = json.loads(files["manifest.json"])
    except ValueError:
        raise InvalidRequest("The backup's manifest is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidRequest("Not an mqttgate backup: the manifest names another format")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise InvalidRequest(f"Backup format version {manifest.get('format_version')!r} is not "
                             f"{FORMAT_VERSION}, the one this mqttgate reads")
    for name in ("mqttgate.db", "config.json"):
        expected = (manifest.get("files") or {}).get(name) or {}
        if hashlib.sha256(files[name]).hexdigest() != expected.get("sha256") or len(files[name]) != expected.get(
                "size"):
            raise InvalidRequest(f"The backup's {name} does not match its checksum: the file is damaged")
    if not isinstance(manifest.get("node"), str) or not isinstance(manifest.get("created_at"), str):
        raise InvalidRequest("The backup's manifest lacks node or created_at")
    if check_database:
        _check_database(files["mqttgate.db"])
    return manifest, files["mqttgate.db"]


def _check_database(data: bytes) -> None:
    with tempfile.NamedTemporaryFile(suffix=".db") as file:
        file.write(data)
        file.flush()
        try:
            db = sqlite3.connect(f"file:{file.name}?mode=ro", uri=True)
            try:
                ok = db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                version = db.execute("PRAGMA user_version").fetchone()[0]
            finally:
                db.close()
        except sqlite3.DatabaseError:
            ok, version = False, 0
    if not ok:
        raise InvalidRequest("The backup's database is damaged")
    if version > Store.schema_version():
        raise InvalidRequest(f"The backup comes from a newer mqttgate (schema {version}); upgrade first")


def restore_database(data: bytes, live: sqlite3.Connection) -> None:
    """Copy a checked database snapshot over the live one in one step, then bring its schema up to date."""
    with tempfile.NamedTemporaryFile(suffix=".db") as file:
        file.write(data)
        file.flush()
        source = sqlite3.connect(file.name)
        try:
            source.backup(live)
        finally:
            source.close()
    Store.migrate(live)
