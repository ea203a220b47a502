"""GET /listeners: the MQTT listeners and the REST API's, with their state and connections."""

from __future__ import annotations

from typing import Any

from connexion import request

from mqttgate.handlers._shape import broker, plain


async def list_listeners():
    """The MQTT listeners, then the REST API listeners."""
    return all_listeners()


def all_listeners() -> list[dict[str, Any]]:
    mqtt = [{"id": f"{listener.type}:{listener.name}", **plain(listener)} for listener in broker().status().listeners]
    rest = request.state.rest_listeners
    if rest is None:  # the server bound the socket itself (gunicorn): the one this request came to is known
        host, port = request.scope["server"][:2]
        rest = [("http", f"{host}:{port}")]
    return mqtt + [{"id": f"http:{name}", "name": name, "type": "http", "bind": bind, "running": True}
                   for name, bind in rest]
