"""Banned clients (EMQX /banned): a ban refuses matching CONNECTs and kicks matching clients."""

from __future__ import annotations

from typing import Any

from connexion import NoContent

from mqttgate.broker.banned import Ban, BanFilter
from mqttgate.handlers._shape import access, caller, page_body
from mqttgate.handlers._time import parse_time_or_infinity, rfc3339, rfc3339_or_infinity


def _ban(ban: Ban) -> dict[str, Any]:
    return {"as": ban.kind, "who": ban.who, "by": ban.by, "reason": ban.reason, "at": rfc3339(ban.at),
            "until": rfc3339_or_infinity(ban.until)}


async def list_banned(
    *, page: int = 1, limit: int = 100, clientid: str | None = None, username: str | None = None,
    peerhost: str | None = None, like_clientid: str | None = None, like_username: str | None = None,
    like_peerhost: str | None = None,
):
    """One page of the bans in force matching every filter given."""
    where = BanFilter(clientid=clientid, username=username, peerhost=peerhost, like_clientid=like_clientid,
                      like_username=like_username, like_peerhost=like_peerhost)
    return page_body(access().bans.list(where, page=page, limit=limit), page=page, limit=limit, shape=_ban)


async def create_banned(*, body: dict[str, Any]):
    """Ban; matching connected clients are kicked before the answer."""
    until = parse_time_or_infinity(body.get("until"), "until")
    ban = await access().bans.add(body["as"], body["who"], by=body.get("by") or caller(),
                                  reason=body.get("reason", ""), until=until)
    return _ban(ban), 200


async def delete_banned(*, kind: str, who: str):
    """Lift one ban (`kind` is the ban's `as`, a Python keyword)."""
    access().bans.delete(kind, who)
    return NoContent, 204


async def clear_banned():
    """Lift every ban."""
    access().bans.clear()
    return NoContent, 204
