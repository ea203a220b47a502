"""Banned clients: by client id, username or peer address, exact or by regex / network.

Bans are stored in SQLite and held in memory, compiled: a CONNECT looks up the exact
bans in a dict and runs only the regex and network bans. A ban lapses at `until`.
Whoever wants to act on a new ban (the broker kicks matching clients) registers in
`on_added`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any, Literal

import re2

from mqttgate.broker.adapter import Page
from mqttgate.broker.errors import AlreadyExists, InvalidRequest, NotFound
from mqttgate.broker.store import Store

BanKind = Literal["clientid", "username", "peerhost", "clientid_re", "username_re", "peerhost_net"]
KINDS: tuple[str, ...] = ("clientid", "username", "peerhost", "clientid_re", "username_re", "peerhost_net")
_EXACT = ("clientid", "username", "peerhost")
_FAMILY = {"clientid": ("clientid", "clientid_re"), "username": ("username", "username_re"),
           "peerhost": ("peerhost", "peerhost_net")}

log = logging.getLogger(__name__)

# RE2 matches in time linear in the input: a ban such as `(a+)+$` cannot freeze the event
# loop on a crafted client id (Python's backtracking `re` took 8.5 s on 27 characters).
# What RE2 cannot compile (backreferences, lookaround) is refused when the ban is created.
_RE2 = re2.Options()
_RE2.log_errors = False

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_Test = Callable[[str | None, str | None, IPAddress | None], bool]


@dataclass(frozen=True)
class Ban:
    """One ban (EMQX fields; `kind` is EMQX's `as`).

    Attributes:
        kind: what `who` names: clientid, username, peerhost (an IP address), clientid_re,
            username_re (a regular expression, searched anywhere in the value) or
            peerhost_net (a network in CIDR notation).
        who: the client id, username, address, expression or network, normalized.
        by: who banned.
        reason: why, free text.
        at: when the ban was made.
        until: when it lapses; None for never.
    """

    kind: str
    who: str
    by: str
    reason: str
    at: datetime
    until: datetime | None

    def active(self, now: datetime) -> bool:
        return self.until is None or self.until > now


@dataclass(frozen=True)
class BanFilter:
    """Which bans a listing returns; every field given must hold.

    Attributes:
        clientid: bans of exactly this client id (`as` clientid).
        username: bans of exactly this username (`as` username).
        peerhost: bans of exactly this address (`as` peerhost).
        like_clientid: substring of `who` among client id bans (clientid and clientid_re).
        like_username: substring of `who` among username bans (username and username_re).
        like_peerhost: substring of `who` among address bans (peerhost and peerhost_net).
    """

    clientid: str | None = None
    username: str | None = None
    peerhost: str | None = None
    like_clientid: str | None = None
    like_username: str | None = None
    like_peerhost: str | None = None


class Bans:
    """The registry of bans.

    Args:
        store: the SQLite store.
    """

    def __init__(self, store: Store) -> None:
        self._db = store.db
        self.on_added: list[Callable[[Ban], Awaitable[None]]] = []
        self.on_removed: list[Callable[[str, str], None]] = []  # (kind, who) of a lifted or lapsed ban
        self.reload()

    def reload(self) -> None:
        """Load the bans from the database again (after a restore)."""
        self._bans: dict[tuple[str, str], Ban] = {}
        self._tests: dict[tuple[str, str], _Test] = {}  # the regex and network bans
        for row in self._db.execute("SELECT * FROM banned ORDER BY rowid"):
            until = datetime.fromisoformat(row["until"]) if row["until"] else None
            self._index(Ban(row["kind"], row["who"], row["banned_by"], row["reason"],
                            datetime.fromisoformat(row["at"]), until))

    def _index(self, ban: Ban) -> None:
        key = (ban.kind, ban.who)
        self._bans[key] = ban
        if ban.kind not in _EXACT:
            self._tests[key] = _test(ban.kind, ban.who)

    def list(self, where: BanFilter, *, page: int, limit: int) -> Page[Ban]:
        """One page of the bans in force matching `where`, oldest first; lapsed bans are dropped."""
        now = _now()
        lapsed = [key for key, ban in self._bans.items() if not ban.active(now)]
        for key in lapsed:
            self._remove(key)
        found = (ban for ban in self._bans.values() if _listed(ban, where))
        start = (page - 1) * limit
        chunk = list(islice(found, start, start + limit + 1))
        count = len(self._bans) if where == BanFilter() else None
        return Page(chunk[:limit], hasnext=len(chunk) > limit, count=count)

    async def add(self, kind: str, who: str, *, by: str, reason: str = "", until: datetime | None = None) -> Ban:
        """Ban, then let every `on_added` callback act on it (the broker kicks matching clients).

        Raises:
            InvalidRequest: `who` is not a valid address, network or regular expression for
                `kind`, or `until` has passed.
            AlreadyExists: the same kind and who is banned and has not lapsed.
        """
        now = _now()
        who = normalized(kind, who)
        if until is not None and until <= now:
            raise InvalidRequest(f"until ({until.isoformat()}) has passed: a ban must lapse in the future")
        old = self._bans.get((kind, who))
        if old is not None and old.active(now):
            raise AlreadyExists(f"{kind} {who!r} is already banned")
        ban = Ban(kind, who, by, reason, now, until)
        self._put(ban)
        for callback in self.on_added:
            await callback(ban)
        return ban

    def delete(self, kind: str, who: str) -> None:
        """Lift one ban.

        Raises:
            NotFound: no such ban.
        """
        try:
            key = (kind, normalized(kind, who))
        except InvalidRequest:
            key = (kind, who)  # cannot have been banned: not found
        if key not in self._bans:
            raise NotFound(f"{kind} {who!r} is not banned")
        self._remove(key)

    def clear(self) -> None:
        """Lift every ban."""
        lifted = list(self._bans)
        self._db.execute("DELETE FROM banned")
        self._bans.clear()
        self._tests.clear()
        for key in lifted:
            self._lifted(key)

    def _remove(self, key: tuple[str, str]) -> None:
        self._db.execute("DELETE FROM banned WHERE kind = ? AND who = ?", key)
        self._bans.pop(key, None)
        self._tests.pop(key, None)
        self._lifted(key)

    def _lifted(self, key: tuple[str, str]) -> None:
        for callback in self.on_removed:
            callback(*key)

    def _put(self, ban: Ban) -> None:
        """Store and hold a ban, in place of one of the same kind and who."""
        self._db.execute(
            "INSERT INTO banned (kind, who, banned_by, reason, at, until) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (kind, who) DO UPDATE SET banned_by = excluded.banned_by, reason = excluded.reason, "
            "at = excluded.at, until = excluded.until",
            (ban.kind, ban.who, ban.by, ban.reason, ban.at.isoformat(), ban.until.isoformat() if ban.until else None),
        )
        self._index(ban)

    def all(self) -> list[Ban]:
        """Every ban held, lapsed or not."""
        return list(self._bans.values())

    def apply(self, ban: Ban) -> Awaitable[Any]:
        """Hold a ban made elsewhere (another node of a cluster); the awaitable runs `on_added`."""
        self._put(ban)
        return asyncio.gather(*(callback(ban) for callback in self.on_added), return_exceptions=True)

    def forget(self, kind: str, who: str) -> None:
        """Drop a ban lifted elsewhere (another node of a cluster)."""
        if (kind, who) in self._bans:
            self._remove((kind, who))

    def match(self, clientid: str | None, username: str | None, peerhost: str | None) -> Ban | None:
        """The ban in force on a client with these properties, if any."""
        if not self._bans:
            return None
        now = _now()
        host = ip_of(peerhost)
        for key in (("clientid", clientid), ("username", username), ("peerhost", str(host) if host else None)):
            ban = self._bans.get(key) if key[1] is not None else None
            if ban is not None and ban.active(now):
                return ban
        for key, test in self._tests.items():
            if test(clientid, username, host):
                ban = self._bans[key]
                if ban.active(now):
                    return ban
        return None

    @staticmethod
    def applies(ban: Ban, clientid: str | None, username: str | None, peerhost: str | None) -> bool:
        """Whether `ban` names a client with these properties."""
        return _test(ban.kind, ban.who)(clientid, username, ip_of(peerhost))


def normalized(kind: str, who: str) -> str:
    """`who` as a ban of `kind` stores it (addresses and networks in canonical form).

    Raises:
        InvalidRequest: not a valid address, network or regular expression, with the reason.
    """
    if kind == "peerhost":
        host = ip_of(who)
        if host is None:
            raise InvalidRequest(f"Invalid peerhost {who!r}: not an IPv4 or IPv6 address")
        return str(host)
    if kind == "peerhost_net":
        try:
            return str(ipaddress.ip_network(who, strict=False))
        except ValueError as exc:
            raise InvalidRequest(f"Invalid peerhost_net {who!r}: {exc} (expected CIDR, e.g. 10.0.0.0/8)") from None
    if kind in ("clientid_re", "username_re"):
        try:
            re2.compile(who, _RE2)
        except re2.error as exc:
            raise InvalidRequest(f"Invalid regular expression {who!r} for {kind}: {_reason(exc)} "
                                 "(RE2 syntax: no backreferences or lookaround)") from None
    return who


def ip_of(address: str | None) -> IPAddress | None:
    """The IP address in `address`, IPv4-mapped IPv6 addresses as IPv4; None if it is none."""
    if not address:
        return None
    try:
        host = ipaddress.ip_address(address)
    except ValueError:
        return None
    return (host.ipv4_mapped or host) if isinstance(host, ipaddress.IPv6Address) else host


def _test(kind: str, who: str) -> _Test:
    if kind == "clientid":
        return lambda c, u, h: c == who
    if kind == "username":
        return lambda c, u, h: u == who
    if kind == "peerhost":
        return lambda c, u, h: h is not None and str(h) == who
    if kind == "peerhost_net":
        network = ipaddress.ip_network(who)
        return lambda c, u, h: h is not None and h.version == network.version and h in network
    try:
        search = re2.compile(who, _RE2).search
    except re2.error as exc:  # stored before bans were RE2 (a restored backup): it matches nothing
        log.warning("ban %s %r is not an RE2 expression (%s); it matches nothing: delete it and ban again",
                    kind, who, _reason(exc))
        return lambda c, u, h: False
    if kind == "clientid_re":
        return lambda c, u, h: c is not None and search(c) is not None
    return lambda c, u, h: u is not None and search(u) is not None


def _reason(exc: Exception) -> str:
    reason = exc.args[0] if exc.args else exc
    return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)


def _listed(ban: Ban, where: BanFilter) -> bool:
    peerhost = where.peerhost and str(ip_of(where.peerhost) or where.peerhost)
    for kind, value in (("clientid", where.clientid), ("username", where.username), ("peerhost", peerhost)):
        if value is not None and (ban.kind != kind or ban.who != value):
            return False
    for family, part in (("clientid", where.like_clientid), ("username", where.like_username),
                         ("peerhost", where.like_peerhost)):
        if part is not None and (ban.kind not in _FAMILY[family] or part not in ban.who):
            return False
    return True


def _now() -> datetime:
    return datetime.now(UTC)
