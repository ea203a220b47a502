"""API keys of the management API: stored hashed, verified off the event loop, cached.

A secret is hashed with argon2 and never stored or logged in plain text. Verifying a
secret costs tens of milliseconds, so the hash check runs in a worker thread and a
verified pair is remembered (by a digest of key and secret, tied to the stored hash):
changing or deleting a key drops it from the cache at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from broker.errors import InvalidRequest
from broker.store import Store

log = logging.getLogger(__name__)

ROLES = ("administrator", "viewer", "publisher")
FIRST_KEY_FILE = "initial_api_key"


@dataclass(frozen=True)
class ApiKey:
    """An API key as stored (the secret only as its hash)."""

    name: str
    api_key: str
    role: str
    enable: bool
    expired_at: datetime | None
    desc: str
    created_at: datetime

    def usable(self, now: datetime) -> bool:
        return self.enable and (self.expired_at is None or self.expired_at > now)


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

    def count(self) -> int:
        return self._db.execute("SELECT count(*) FROM api_keys").fetchone()[0]

    def put(self, api_key: str, secret: str, role: str = "administrator", *, name: str | None = None) -> None:
        """Create the key, or replace its secret and role if it exists."""
        if role not in ROLES:
            raise InvalidRequest(f"Unknown role {role!r}; roles are {', '.join(ROLES)}")
        self._db.execute(
            "INSERT INTO api_keys (name, api_key, secret_hash, role, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET secret_hash = excluded.secret_hash, role = excluded.role",
            (name or api_key, api_key, self._hasher.hash(secret), role, _now().isoformat()),
        )

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
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(f"{api_key}:{secret}\n")
        return api_key, secret

    def get(self, api_key: str) -> tuple[ApiKey, str] | None:
        row = self._db.execute("SELECT * FROM api_keys WHERE api_key = ?", (api_key,)).fetchone()
        if row is None:
            return None
        key = ApiKey(
            name=row["name"], api_key=row["api_key"], role=row["role"], enable=bool(row["enable"]),
            expired_at=datetime.fromisoformat(row["expired_at"]) if row["expired_at"] else None,
            desc=row["description"], created_at=datetime.fromisoformat(row["created_at"]),
        )
        return key, row["secret_hash"]

    async def verify(self, api_key: str, secret: str) -> ApiKey | None:
        """The key if `secret` is its secret and the key is enabled and not expired, else None."""
        found = self.get(api_key)
        if found is None:
            return None
        key, secret_hash = found
        if not key.usable(_now()):
            return None
        digest = hashlib.sha256(f"{api_key}\0{secret}".encode()).digest()
        if self._verified.get(digest) == secret_hash:
            return key
        if not await asyncio.to_thread(self._check, secret_hash, secret):
            return None
        if len(self._verified) > 10_000:
            self._verified.clear()
        self._verified[digest] = secret_hash
        return key

    def _check(self, secret_hash: str, secret: str) -> bool:
        try:
            return self._hasher.verify(secret_hash, secret)
        except (VerificationError, InvalidHashError):
            return False


def _now() -> datetime:
    return datetime.now(UTC)
