"""ACL rules of the built-in database (EMQX /authorization/sources/built_in_database/rules)."""

from __future__ import annotations

from typing import Any

from connexion import NoContent

from mqttgate.broker.acl import AclEntry, AclRule, Subject
from mqttgate.handlers._shape import access, page_body, plain


def _rules(rules: list[dict[str, Any]]) -> tuple[AclRule, ...]:
    return tuple(AclRule(**rule) for rule in rules)


def _entry(kind: Subject, entry: AclEntry) -> dict[str, Any]:
    return {kind: entry.who, "rules": [plain(rule) for rule in entry.rules]}


def _list(kind: Subject, like: str | None, page: int, limit: int) -> dict[str, Any]:
    result = access().acl.list(kind, like=like, page=page, limit=limit)
    return page_body(result, page=page, limit=limit, shape=lambda entry: _entry(kind, entry))


def _put(kind: Subject, who: str, body: dict[str, Any]) -> None:
    # the path names whose rules these are; the body's id (EMQX's clients send it) is not read
    access().acl.put(kind, who, _rules(body["rules"]))


async def list_client_rules(*, page: int = 1, limit: int = 100, like_clientid: str | None = None):
    """One page of client ids and their rules."""
    return _list("clientid", like_clientid, page, limit)


async def create_client_rules(*, body: list[dict[str, Any]]):
    """Store the rules of client ids that have none yet."""
    access().acl.create("clientid", [AclEntry(item["clientid"], _rules(item["rules"])) for item in body])
    return NoContent, 204


async def get_client_rules(*, clientid: str):
    """The rules of one client id, in order."""
    return _entry("clientid", access().acl.get("clientid", clientid))


async def put_client_rules(*, clientid: str, body: dict[str, Any]):
    """Replace the rules of one client id."""
    _put("clientid", clientid, body)
    return NoContent, 204


async def delete_client_rules(*, clientid: str):
    """Delete the rules of one client id."""
    access().acl.delete("clientid", clientid)
    return NoContent, 204


async def list_user_rules(*, page: int = 1, limit: int = 100, like_username: str | None = None):
    """One page of usernames and their rules."""
    return _list("username", like_username, page, limit)


async def create_user_rules(*, body: list[dict[str, Any]]):
    """Store the rules of usernames that have none yet."""
    access().acl.create("username", [AclEntry(item["username"], _rules(item["rules"])) for item in body])
    return NoContent, 204


async def get_user_rules(*, username: str):
    """The rules of one username, in order."""
    return _entry("username", access().acl.get("username", username))


async def put_user_rules(*, username: str, body: dict[str, Any]):
    """Replace the rules of one username."""
    _put("username", username, body)
    return NoContent, 204


async def delete_user_rules(*, username: str):
    """Delete the rules of one username."""
    access().acl.delete("username", username)
    return NoContent, 204


async def get_rules_for_all():
    """The rules for all clients, in order."""
    return {"rules": [plain(rule) for rule in access().acl.rules_for_all()]}


async def set_rules_for_all(*, body: dict[str, Any]):
    """Replace the rules for all clients."""
    access().acl.set_rules_for_all(_rules(body["rules"]))
    return NoContent, 204


async def delete_rules_for_all():
    """Delete the rules for all clients."""
    access().acl.set_rules_for_all(())
    return NoContent, 204
