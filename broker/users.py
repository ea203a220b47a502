"""MQTT users of the built-in database: argon2-hashed passwords, checked off the event loop.

A password is never stored, logged or returned; only its salted argon2id hash is kept,
with OWASP's parameters for it (19 MiB, 2 passes): slow for whoever steals the database,
yet affordable when a fleet of devices reconnects after a restart. Checking a hash costs
tens of milliseconds, so it runs in a worker thread, and a checked user and password pair
is remembered (by a digest, tied to the stored hash): a client that reconnects costs no
hash work, a device that retries a wrong password costs one, and a new password drops the
old one at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mqttgate.broker.adapter import Page
from mqttgate.broker.errors import AlreadyExists, NotFound
from mqttgate.broker.singleflight import Singleflight
from mqttgate.broker.store import Store


@dataclass(frozen=True)
class MqttUser:
    """A user of the built-in database (the password only as its hash, kept apart).

    Attributes:
        user_id: the MQTT username.
        is_superuser: a superuser skips every ACL rule.
        created_at: when the user was created.
    """

    user_id: str
    is_superuser: bool
    created_at: datetime


class Users:
    """The registry of MQTT users.

    Args:
        store: the SQLite store.
        hasher: argon2 parameters; tests may pass a cheaper one.
    """

    def __init__(self, store: Store, hasher: PasswordHasher | None = None) -> None:
        self._db = store.db
        self._hasher = hasher or PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
        self._verified: dict[bytes, str] = {}
        self._refused: dict[bytes, str] = {}
        self._flights: Singleflight[bool] = Singleflight()
        # told of every change made here (a user id, and its record or None): a cluster shares it
        self.on_change: Callable[[str, dict[str, Any] | None], None] | None = None
        self.reload()

    def reload(self) -> None:
        """Load the users from the database again (after a restore)."""
        self._users: dict[str, tuple[MqttUser, str]] = {}  # by user_id: (user, password hash)
        for row in self._db.execute("SELECT * FROM mqtt_users ORDER BY rowid"):
            user = MqttUser(row["user_id"], bool(row["is_superuser"]), datetime.fromisoformat(row["created_at"]))
            self._users[user.user_id] = (user, row["password_hash"])

    def records(self) -> dict[str, dict[str, Any]]:
        """Every user as a plain record, by user id: the password only as its hash."""
        return {user.user_id: _record(user, password_hash) for user, password_hash in self._users.values()}

    def apply(self, record: dict[str, Any]) -> None:
        """Hold a user as made or changed elsewhere (another node of a cluster); `on_change` is not told.

        The cached checks are tied to the hash: a new password refuses the old one at once.
        """
        user = MqttUser(record["user_id"], bool(record["is_superuser"]), datetime.fromisoformat(record["created_at"]))
        self._db.execute(
            "INSERT INTO mqtt_users (user_id, password_hash, is_superuser, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, "
            "is_superuser = excluded.is_superuser, created_at = excluded.created_at",
            (user.user_id, record["password_hash"], int(user.is_superuser), record["created_at"]),
        )
        self._users[user.user_id] = (user, record["password_hash"])

    def forget(self, user_id: str) -> None:
        """Drop a user deleted elsewhere (another node of a cluster)."""
        self._db.execute("DELETE FROM mqtt_users WHERE user_id = ?", (user_id,))
        self._users.pop(user_id, None)

    def _changed(self, user_id: str) -> None:
        if self.on_change is not None:
            found = self._users.get(user_id)
            self.on_change(user_id, _record(*found) if found is not None else None)

    def __len__(self) -> int:
        return len(self._users)

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._users

    def list(self, *, like_user_id: str | None = None, is_superuser: bool | None = None, page: int,
             limit: int) -> Page[MqttUser]:
        """One page of users, oldest first."""
        found = (user for user, _ in self._users.values()
                 if (like_user_id is None or like_user_id in user.user_id)
                 and (is_superuser is None or user.is_superuser == is_superuser))
        start = (page - 1) * limit
        chunk = list(islice(found, start, start + limit + 1))
        count = len(self._users) if like_user_id is None and is_superuser is None else None
        return Page(chunk[:limit], hasnext=len(chunk) > limit, count=count)

    def get(self, user_id: str) -> MqttUser:
        """The user.

        Raises:
            NotFound: no such user.
        """
        found = self._users.get(user_id)
        if found is None:
            raise NotFound("User not found")
        return found[0]

    async def create(self, user_id: str, password: str, *, is_superuser: bool = False) -> MqttUser:
        """Create a user; the password is hashed in a worker thread.

        Raises:
            AlreadyExists: a user has this id.
        """
        if user_id in self._users:
            raise AlreadyExists(f"User {user_id!r} already exists")
        password_hash = await asyncio.to_thread(self._hasher.hash, password)
        user = MqttUser(user_id, is_superuser, _now())
        try:
            self._db.execute(
                "INSERT INTO mqtt_users (user_id, password_hash, is_superuser, created_at) VALUES (?, ?, ?, ?)",
                (user_id, password_hash, int(is_superuser), user.created_at.isoformat()),
            )
        except sqlite3.IntegrityError:  # created by another request while hashing
            raise AlreadyExists(f"User {user_id!r} already exists") from None
        self._users[user_id] = (user, password_hash)
        self._changed(user_id)
        return user

    async def update(self, user_id: str, *, password: str, is_superuser: bool | None = None) -> MqttUser:
        """Set a new password, and the superuser flag if given.

        Raises:
            NotFound: no such user.
        """
        self.get(user_id)
        password_hash = await asyncio.to_thread(self._hasher.hash, password)
        user = self.get(user_id)  # deleted while hashing: not found
        if is_superuser is not None:
            user = replace(user, is_superuser=is_superuser)
        self._db.execute("UPDATE mqtt_users SET password_hash = ?, is_superuser = ? WHERE user_id = ?",
                         (password_hash, int(user.is_superuser), user_id))
        self._users[user_id] = (user, password_hash)
        self._changed(user_id)
        return user

    def delete(self, user_id: str) -> None:
        """Delete the user; clients connected as this user stay connected.

        Raises:
            NotFound: no such user.
        """
        self.get(user_id)
        self._db.execute("DELETE FROM mqtt_users WHERE user_id = ?", (user_id,))
        del self._users[user_id]
        self._changed(user_id)

    async def verify(self, user_id: str, password: str | None) -> MqttUser | None:
        """The user if `password` is theirs, else None."""
        found = self._users.get(user_id)
        if found is None or password is None:
            return None
        password_hash = found[1]
        digest = hashlib.sha256(f"{user_id}\0{password}".encode()).digest()
        if self._refused.get(digest) == password_hash:
            return None
        if self._verified.get(digest) != password_hash:
            # the same password checked by concurrent CONNECTs: one hash check for all of them
            if not await self._flights.run((digest, password_hash),
                                           lambda: asyncio.to_thread(self._check, password_hash, password)):
                _remember(self._refused, digest, password_hash)
                return None
            _remember(self._verified, digest, password_hash)
        current = self._users.get(user_id)  # changed or deleted while the hash was checked
        return current[0] if current is not None and current[1] == password_hash else None

    def _check(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def _record(user: MqttUser, password_hash: str) -> dict[str, Any]:
    return {"user_id": user.user_id, "password_hash": password_hash, "is_superuser": user.is_superuser,
            "created_at": user.created_at.isoformat()}


def _remember(cache: dict[bytes, str], digest: bytes, password_hash: str) -> None:
    if len(cache) >= 100_000:
        cache.clear()
    cache[digest] = password_hash


def _now() -> datetime:
    return datetime.now(UTC)
