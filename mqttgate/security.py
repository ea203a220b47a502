"""HTTP Basic authentication of the management API with an API key and secret."""

from __future__ import annotations

from typing import Any

from connexion.lifecycle import ConnexionRequest


async def basic_auth(username: str, password: str, request: ConnexionRequest) -> dict[str, Any] | None:
    """connexion's `x-basicInfoFunc`: the token info of a valid key, None otherwise (401)."""
    key = await request.state.api_keys.verify(username, password)
    if key is None:
        return None
    return {"sub": key.name, "role": key.role}
