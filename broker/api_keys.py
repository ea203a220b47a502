"""API keys of the management API: stored hashed, verified off the event loop, cached.

A secret is hashed with argon2 and never stored or logged in plain text. Verifying a
secret costs tens of milliseconds, so the hash check runs in a worker thread and a
verified pair is remembered (by a digest of key and secret, tied to the stored hash), and
so is a refused one: a script retrying a wrong secret costs one hash check, not one each.
The keys themselves are held in memory and reloaded when another process (the
`mqttgate api-key` command) changes the database, so that a request costs no query
on the keys table, and whether a key is enabled and unexpired is read on every request:
disabling, expiring, changing or deleting a key refuses its next request.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mqttgate.broker.errors import AlreadyExists, InvalidRequest, NotFound
from mqttgate.broker.files import write_private
from mqttgate.broker.singleflight import Singleflight
from mqttgate.broker.store import Store

log = logging.getLogger(__name__)

ROLES = ("administrator", "viewer", "publisher")
FIRST_KEY_FILE = "initial_api_key"
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,255}")
_KEEP = object()


@dataclass(frozen=True)
class ApiKey:
    """An API key as stored (the secret only as its hash).

    Attributes:
        name: unique name, chosen by whoever created the key.
        api_key: the HTTP Basic user name.
        role: `administrator`, `viewer` or `publisher`.
        enable: false refuses the key.
        expired_at: when the key stops working; None for never.
        desc: free text.
        created_at: when the key was created.
    """

    name: str
    api_key: str
    role: str
    enable: bool
    expired_at: datetime | None
    desc: str
    created_at: datetime

    def expired(self, now: datetime) -> bool:
        return self.expired_at is not None and self.expired_at <= now

    def usable(self, now: datetime) -> bool:
        return self.enable and not self.expired(now)


class ApiKeys:
    """The registry of API keys.

    Args:
        store: the SQLite store.
        hasher: argon2 parameters; tests may pass a cheaper one.
    """

    def __init__(self, store: Store, hasher: PasswordHasher | None = None) -> None:
        self._db = store.db
        self._hasher = hasher or PasswordHasher()
        self._verified: dict[bytes, str] = {}
        self._refused: dict[bytes, str] = {}  # a wrong secret sent again costs no hash work
        self._flights: Singleflight[bool] = Singleflight()
        self._keys: dict[str, tuple[ApiKey, str]] = {}  # by api_key: (key, secret hash)
        self._names: dict[str, str] = {}  # name -> api_key
        self._data_version = -1
        # told of every change made here (a key's name, and its record or None): a cluster shares it
        self.on_change: Callable[[str, dict[str, Any] | None], None] | None = None
        self._sync()

    def _sync(self) -> None:
        # data_version changes when another connection (another process) commits
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._data_version = version
            before = self.records() if self.on_change is not None else {}
            self._load()
            if self.on_change is not None:  # another process (`mqttgate api-key`) changed them: shared too
                after = self.records()
                for name in before.keys() | after.keys():
                    if before.get(name) != after.get(name):
                        self.on_change(name, after.get(name))

    def _changed(self, name: str) -> None:
        if self.on_change is not None:
            self.on_change(name, self.records().get(name))

    def records(self) -> dict[str, dict[str, Any]]:
        """Every key as a plain record, by name: the secret only as its hash."""
        return {key.name: {"name": key.name, "api_key": key.api_key, "secret_hash": secret_hash, "role": key.role,
                           "enable": key.enable, "expired_at": _iso(key.expired_at), "desc": key.desc,
                           "created_at": key.created_at.isoformat()}
                for key, secret_hash in self._keys.values()}

    def apply(self, record: dict[str, Any]) -> None:
        """Hold a key as made or changed elsewhere (another node of a cluster); `on_change` is not told."""
        with self._db:
            self._db.execute("BEGIN")
            # the same api_key under another name cannot be held twice (a bootstrap key named anew)
            self._db.execute("DELETE FROM api_keys WHERE api_key = ? AND name != ?",
                             (record["api_key"], record["name"]))
            self._db.execute(
                "INSERT INTO api_keys (name, api_key, secret_hash, role, enable, expired_at, description, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET api_key = excluded.api_key, "
                "secret_hash = excluded.secret_hash, role = excluded.role, enable = excluded.enable, "
                "expired_at = excluded.expired_at, description = excluded.description, "
                "created_at = excluded.created_at",
                (record["name"], record["api_key"], record["secret_hash"], record["role"], int(record["enable"]),
                 record["expired_at"], record["desc"], record["created_at"]),
            )
        self._load()

    def forget(self, name: str) -> None:
        """Drop a key deleted elsewhere (another node of a cluster): its next request is refused."""
        self._db.execute("DELETE FROM api_keys WHERE name = ?", (name,))
        self._load()

    def reload(self) -> None:
        """Load the keys from the database again (after a restore)."""
        self._verified.clear()
        self._refused.clear()
        self._load()

    def _load(self) -> None:
        rows = self._db.execute("SELECT * FROM api_keys ORDER BY rowid").fetchall()
        self._keys = {row["api_key"]: (_key(row), row["secret_hash"]) for row in rows}
        self._names = {key.name: api_key for api_key, (key, _) in self._keys.items()}

    def count(self) -> int:
        self._sync()
        return len(self._keys)

    def list(self) -> list[ApiKey]:
        """Every key, oldest first."""
        self._sync()
        return [key for key, _ in self._keys.values()]

    def get(self, name: str) -> ApiKey:
        """The key named `name`.

        Raises:
            NotFound: no key has this name.
        """
        self._sync()
        api_key = self._names.get(name)
        if api_key is None:
            raise NotFound(f"API key {name!r} not found")
        return self._keys[api_key][0]

    async def create(self, name: str, *, role: str = "administrator", desc: str = "", enable: bool = True,
                     expired_at: datetime | None = None) -> tuple[ApiKey, str]:
        """Create a key with a random key and secret.

        Returns:
            The key and its secret: the only time the secret is known.

        Raises:
            InvalidRequest: the name or role is not valid.
            AlreadyExists: a key has this name.
        """
        if not NAME.fullmatch(name):
            raise InvalidRequest("name must start with a letter and hold only letters, digits, - and _ "
                                 "(at most 256)")
        _check_role(role)
        self._sync()
        if name in self._names:
            raise AlreadyExists(f"API key {name!r} already exists")
        api_key, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        secret_hash = await asyncio.to_thread(self._hasher.hash, secret)
        try:
            self._db.execute(
                "INSERT INTO api_keys (name, api_key, secret_hash, role, enable, expired_at, description, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (name, api_key, secret_hash, role, int(enable), _iso(expired_at), desc, _now().isoformat()),
            )
        except sqlite3.IntegrityError:  # created meanwhile, by another request or process
            raise AlreadyExists(f"API key {name!r} already exists") from None
        self._load()
        self._changed(name)
        return self.get(name), secret

    def update(self, name: str, *, role: str | None = None, desc: str | None = None, enable: bool | None = None,
               expired_at: datetime | object | None = _KEEP) -> ApiKey:
        """Change what is given of role, description, enable and expiry; the rest stays.

        Raises:
            NotFound: no key has this name.
            InvalidRequest: the role is not valid.
        """
        key = self.get(name)
        if role is not None:
            _check_role(role)
        changed = replace(
            key, role=key.role if role is None else role, desc=key.desc if desc is None else desc,
            enable=key.enable if enable is None else enable,
            expired_at=key.expired_at if expired_at is _KEEP else expired_at,
        )
        self._db.execute(
            "UPDATE api_keys SET role = ?, description = ?, enable = ?, expired_at = ? WHERE name = ?",
            (changed.role, changed.desc, int(changed.enable), _iso(changed.expired_at), name),
        )
        self._load()
        self._changed(name)
        return changed

    def delete(self, name: str) -> None:
        """Delete the key; its next request is refused.

        Raises:
            NotFound: no key has this name.
        """
        self.get(name)
        self._db.execute("DELETE FROM api_keys WHERE name = ?", (name,))
        self._load()
        self._changed(name)

    def put(self, api_key: str, secret: str, role: str = "administrator", *, name: str | None = None) -> None:
        """Create the key, or replace its secret and role if it exists (bootstrap file, first key)."""
        _check_role(role)
        self._db.execute(
            "INSERT INTO api_keys (name, api_key, secret_hash, role, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET secret_hash = excluded.secret_hash, role = excluded.role",
            (name or api_key, api_key, self._hasher.hash(secret), role, _now().isoformat()),
        )
        self._load()
        self._changed(name or api_key)

    def load_bootstrap_file(self, path: Path) -> int:
        """Load lines `key:secret[:role]`; blank lines and `#` comments are skipped.

        Raises:
            InvalidRequest: a line is malformed; nothing is loaded then.
        """
        entries = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(":")
            if len(parts) not in (2, 3) or not all(parts):
                raise InvalidRequest(f"{path}:{number}: expected key:secret or key:secret:role")
            if len(parts) == 3 and parts[2] not in ROLES:
                raise InvalidRequest(f"{path}:{number}: unknown role {parts[2]!r}")
            entries.append(parts)
        for parts in entries:
            self.put(*parts)
        return len(entries)

    def ensure_first_key(self, data_dir: Path) -> tuple[str, str] | None:
        """With no key at all, create an administrator key and write it to a 0600 file.

        Returns:
            The new (key, secret), to be shown once; None if keys existed.
        """
        if self.count():
            return None
        api_key, secret = secrets.token_hex(8), secrets.token_urlsafe(24)
        self.put(api_key, secret)
        path = data_dir / FIRST_KEY_FILE
        write_private(path, f"{api_key}:{secret}\n".encode())
        return api_key, secret

    async def verify(self, api_key: str, secret: str) -> ApiKey | None:
        """The key if `secret` is its secret and the key is enabled and not expired, else None."""
        self._sync()
        found = self._keys.get(api_key)
        if found is None or not found[0].usable(_now()):
            return None
        key, secret_hash = found
        digest = hashlib.sha256(f"{api_key}\0{secret}".encode()).digest()
        if self._verified.get(digest) == secret_hash:
            return key
        if self._refused.get(digest) == secret_hash:
            return None
        # the same secret checked by concurrent requests: one hash check for all of them
        if not await self._flights.run((digest, secret_hash),
                                       lambda: asyncio.to_thread(self._check, secret_hash, secret)):
            if len(self._refused) > 10_000:
                self._refused.clear()
            self._refused[digest] = secret_hash
            return None
        # the key may have been changed or deleted while the hash was checked
        current = self._keys.get(api_key)
        if current is None or current[1] != secret_hash or not current[0].usable(_now()):
            return None
        if len(self._verified) > 10_000:
            self._verified.clear()
        self._verified[digest] = secret_hash
        return current[0]

    def _check(self, secret_hash: str, secret: str) -> bool:
        try:
            return self._hasher.verify(secret_hash, secret)
        except (VerificationError, InvalidHashError):
            return False


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidRequest(f"Unknown role {role!r}; roles are {', '.join(ROLES)}")


def _key(row: sqlite3.Row) -> ApiKey:
    return ApiKey(
        name=row["name"], api_key=row["api_key"], role=row["role"], enable=bool(row["enable"]),
        expired_at=datetime.fromisoformat(row["expired_at"]) if row["expired_at"] else None,
        desc=row["description"], created_at=datetime.fromisoformat(row["created_at"]),
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _now() -> datetime:
    return datetime.now(UTC)
