"""MQTT users of the built-in database (EMQX /authentication/password_based:built_in_database/users)."""

from __future__ import annotations

from typing import Any

from connexion import NoContent

from mqttgate.broker.users import MqttUser
from mqttgate.handlers._shape import access, page_body


def _user(user: MqttUser) -> dict[str, Any]:
    return {"user_id": user.user_id, "is_superuser": user.is_superuser}


async def list_users(*, page: int = 1, limit: int = 100, like_user_id: str | None = None,
                     is_superuser: bool | None = None):
    """One page of users, oldest first (never a password)."""
    result = access().users.list(like_user_id=like_user_id, is_superuser=is_superuser, page=page, limit=limit)
    return page_body(result, page=page, limit=limit, shape=_user)


async def create_user(*, body: dict[str, Any]):
    """Create a user; the password is stored as a salted argon2 hash."""
    user = await access().users.create(body["user_id"], body["password"],
                                       is_superuser=body.get("is_superuser", False))
    return _user(user), 201


async def get_user(*, user_id: str):
    """One user."""
    return _user(access().users.get(user_id))


async def update_user(*, user_id: str, body: dict[str, Any]):
    """Set a new password, and is_superuser if given."""
    user = await access().users.update(user_id, password=body["password"], is_superuser=body.get("is_superuser"))
    return _user(user)


async def delete_user(*, user_id: str):
    """Delete the user (its connected clients stay connected)."""
    access().users.delete(user_id)
    return NoContent, 204
