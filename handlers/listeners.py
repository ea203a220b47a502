"""GET /listeners: the MQTT listeners and the REST API's, with their state and connections."""

from __future__ import annotations

from typing import Any

from connexion import request

from mqttgate.handlers._shape import broker, missing_nodes_header, of_nodes, plain
from mqttgate.handlers._shape import node as this_node


async def list_listeners():
    """The MQTT listeners, then the REST API listeners; in a cluster each listener once, with every node's
    status (EMQX's `node_status`)."""
    if not hasattr(broker(), "of_nodes"):
        return all_listeners()
    by_node, missing = await of_nodes("listeners")
    here = this_node()
    rest = [{**x, "number": 1, "node_status": [{"node": here, "bind": x["bind"], "status": {"running": x["running"]}}]}
            for x in _rest_listeners()]
    return _merged(by_node) + rest, 200, missing_nodes_header(missing)


def all_listeners() -> list[dict[str, Any]]:
    """This node's MQTT listeners, then its REST API listeners."""
    mqtt = [{"id": f"{listener.type}:{listener.name}", **plain(listener)} for listener in broker().status().listeners]
    return mqtt + _rest_listeners()


def _rest_listeners() -> list[dict[str, Any]]:
    rest = request.state.rest_listeners
    if rest is None:  # the server bound the socket itself (gunicorn): the one this request came to is known
        host, port = request.scope["server"][:2]
        rest = [("http", f"{host}:{port}")]
    return [{"id": f"http:{name}", "name": name, "type": "http", "bind": bind, "running": True} for name, bind in rest]


def _merged(by_node: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each MQTT listener id once, nodes by name: running on every node that has it, their connections
    summed (and their limits: 0, none, if any node has none), and each node's own in `node_status`."""
    merged: dict[str, dict[str, Any]] = {}
    for name in sorted(by_node):
        for listener in by_node[name]:
            status = {key: listener[key] for key in ("running", "current_connections", "max_connections")}
            entry = merged.get(f"{listener['type']}:{listener['name']}")
            if entry is None:
                entry = merged[f"{listener['type']}:{listener['name']}"] = {
                    "id": f"{listener['type']}:{listener['name']}", **listener, "number": 0, "node_status": []}
            else:
                entry["running"] = entry["running"] and listener["running"]
                entry["current_connections"] += listener["current_connections"]
                limits = (entry["max_connections"], listener["max_connections"])
                entry["max_connections"] = 0 if 0 in limits else sum(limits)
            entry["number"] += 1
            entry["node_status"].append({"node": name, "bind": listener["bind"], "status": status})
    return list(merged.values())
