"""API keys of the management API (EMQX /api_key): the secret is shown once, at creation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connexion import NoContent

from mqttgate.broker.api_keys import ApiKey
from mqttgate.handlers._shape import api_keys, plain
from mqttgate.handlers._time import parse_time_or_infinity, rfc3339_or_infinity


def _key(key: ApiKey) -> dict[str, Any]:
    body = plain(key)
    body["expired_at"] = rfc3339_or_infinity(key.expired_at)
    body["expired"] = key.expired(datetime.now(UTC))
    return body


async def list_api_keys():
    """Every API key, oldest first (no secrets)."""
    return [_key(key) for key in api_keys().list()]


async def create_api_key(*, body: dict[str, Any]):
    """Create a key; the answer holds its secret, which is never shown again."""
    key, secret = await api_keys().create(
        body["name"], role=body.get("role", "administrator"), desc=body.get("desc", ""),
        enable=body.get("enable", True), expired_at=parse_time_or_infinity(body.get("expired_at"), "expired_at"),
    )
    return {**_key(key), "api_secret": secret}, 200


async def get_api_key(*, name: str):
    """One API key by name."""
    return _key(api_keys().get(name))


async def update_api_key(*, name: str, body: dict[str, Any]):
    """Change what the body gives of role, desc, enable and expired_at."""
    changes = {field: body[field] for field in ("role", "desc", "enable") if field in body}
    if "expired_at" in body:
        changes["expired_at"] = parse_time_or_infinity(body["expired_at"], "expired_at")
    return _key(api_keys().update(name, **changes))


async def delete_api_key(*, name: str):
    """Delete the key (the one of this request too: its next request is refused)."""
    api_keys().delete(name)
    return NoContent, 204
