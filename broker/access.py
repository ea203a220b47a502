"""Who may connect to the broker and what they may do: bans, users and ACL rules.

The broker asks `authenticate` at every CONNECT and `Acl.allows` for every publish,
subscribe and delivery; the API manages the three registries. Everything is stored in
SQLite and held in memory, so that neither question costs a query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher

from mqttgate.broker.acl import Acl
from mqttgate.broker.banned import Bans
from mqttgate.broker.store import Store
from mqttgate.broker.users import Users


@dataclass(frozen=True)
class Verdict:
    """The answer to a CONNECT.

    Attributes:
        accepted: whether the client may connect.
        superuser: whether its ACL checks are skipped.
        reason: why it was refused, for the log.
    """

    accepted: bool
    superuser: bool = False
    reason: str = ""


class Access:
    """The bans, users and ACL rules of one data_dir.

    Args:
        store: the SQLite store.
        acl_no_match: `allow` or `deny` when no ACL rule matches.
        hasher: argon2 parameters for user passwords; tests may pass a cheaper one.
    """

    def __init__(self, store: Store, *, acl_no_match: Literal["allow", "deny"] = "allow",
                 hasher: PasswordHasher | None = None) -> None:
        self.bans = Bans(store)
        self.users = Users(store, hasher)
        self.acl = Acl(store, no_match=acl_no_match)

    def reload(self) -> None:
        """Load bans, users and rules from the database again (after a restore)."""
        self.bans.reload()
        self.users.reload()
        self.acl.reload()

    async def authenticate(self, clientid: str | None, username: str | None, password: str | None,
                           peerhost: str | None, *, allow_anonymous: bool) -> Verdict:
        """Decide a CONNECT: bans first, then the user's password; no username needs `allow_anonymous`.

        A username that is a user must come with its password. While the built-in database
        holds users, any other username is refused too; while it holds none, a username is
        accepted as it is (there is nothing to check it against).
        """
        ban = self.bans.match(clientid, username, peerhost)
        if ban is not None:
            return Verdict(False, reason=f"banned ({ban.kind} {ban.who!r})")
        if not username:
            return Verdict(True) if allow_anonymous else Verdict(False, reason="anonymous clients are not allowed")
        user = await self.users.verify(username, password)
        if user is not None:
            return Verdict(True, superuser=user.is_superuser)
        if username in self.users:
            return Verdict(False, reason=f"wrong password for user {username!r}")
        if len(self.users):
            return Verdict(False, reason=f"unknown user {username!r}")
        return Verdict(True)
