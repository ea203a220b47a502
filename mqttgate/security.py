"""HTTP Basic authentication of the management API with an API key and secret, and its roles.

Roles are enforced here, once for every operation (EMQX's RBAC for API keys):
`administrator` may do everything, `viewer` only read (GET), and `publisher` only
publish (POST /publish and /publish/bulk). Anything else is 403 UNAUTHORIZED_ROLE.
"""

from __future__ import annotations

from typing import Any

from connexion.lifecycle import ConnexionRequest

from mqttgate.broker.errors import UnauthorizedRole

PUBLISHER_OPERATIONS = frozenset({("POST", "/publish"), ("POST", "/publish/bulk")})


async def basic_auth(username: str, password: str, request: ConnexionRequest) -> dict[str, Any] | None:
    """connexion's `x-basicInfoFunc`: the token info of a valid key, None otherwise (401).

    Raises:
        UnauthorizedRole: the key is valid but its role does not allow the operation (403).
    """
    key = await request.state.api_keys.verify(username, password)
    if key is None:
        return None
    routing = request.scope.get("extensions", {}).get("connexion_routing", {})
    path = request.url.path.removeprefix(routing.get("api_base_path") or "")
    if not role_allows(key.role, request.method, path):
        raise UnauthorizedRole(_refusal(key.role, request.method, path))
    return {"sub": key.name, "role": key.role}


def role_allows(role: str, method: str, path: str) -> bool:
    """Whether `role` may call `method` on `path` (relative to the API base)."""
    if role == "administrator":
        return True
    if role == "viewer":
        return method in ("GET", "HEAD")
    return role == "publisher" and (method, path.rstrip("/")) in PUBLISHER_OPERATIONS


def _refusal(role: str, method: str, path: str) -> str:
    may = {"viewer": "only read (GET)", "publisher": "only POST /publish and /publish/bulk"}.get(role, "nothing")
    return f"API key role {role} may {may}; {method} {path} needs the administrator role"
