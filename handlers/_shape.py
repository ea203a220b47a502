"""What every handler shares: the adapter of this request, and the wire shapes of pages and times."""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from connexion import request

from mqttgate.broker.access import Access
from mqttgate.broker.adapter import BrokerAdapter, Page
from mqttgate.broker.api_keys import ApiKeys
from mqttgate.broker.errors import BrokerUnavailable, InvalidRequest, NodeNotFound
from mqttgate.broker.metrics import cluster_total
from mqttgate.handlers._time import rfc3339

T = TypeVar("T")


def broker() -> BrokerAdapter:
    """The broker adapter the lifespan set up for this app."""
    return request.state.broker


def node() -> str:
    return request.state.node


def access() -> Access:
    """Bans, MQTT users and ACL rules."""
    return request.state.access


def api_keys() -> ApiKeys:
    return request.state.api_keys


def caller() -> str:
    """The name of the API key that authenticated this request."""
    return request.context["token_info"]["sub"]


async def resolved(value: Any) -> Any:
    """The adapter's answer: a cluster's comes from other nodes, and is awaited."""
    return await value if inspect.isawaitable(value) else value


def parse_time(value: str | None, name: str) -> datetime | None:
    """A `TimeBound` parameter (RFC 3339, or epoch milliseconds) as an aware datetime."""
    if value is None:
        return None
    try:
        if value.isdigit():
            return datetime.fromtimestamp(int(value) / 1000, UTC)
        # RFC 3339 allows a leap second (:60) and lower-case t/z; fromisoformat does not
        return datetime.fromisoformat(re.sub(r"(T\d\d:\d\d):60", r"\1:59", value.upper()))
    except (ValueError, OverflowError, OSError):
        raise InvalidRequest(f"Invalid query parameter '{name}': {value!r} is not a valid time") from None


def plain(item: Any) -> dict[str, Any]:
    """A flat dataclass (or a dict of its fields) as JSON-ready dict: times in RFC 3339, unknown times left out."""
    out = {}
    for key, value in (item if type(item) is dict else vars(item)).items():
        if isinstance(value, datetime):
            out[key] = rfc3339(value)
        elif value is not None or not key.endswith("_at"):
            out[key] = value
    return out


def page_body(result: Page[T], *, page: int, limit: int, shape: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    meta: dict[str, Any] = {"page": page, "limit": limit, "hasnext": result.hasnext}
    if result.count is not None:
        meta["count"] = result.count
    if result.missing_nodes:
        meta["missing_nodes"] = list(result.missing_nodes)
    return {"data": [shape(item) for item in result.items], "meta": meta}


async def of_nodes(what: str, only: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """`what` ("stats", "metrics" or "listeners") of every node (or of `only`), and the nodes that did not
    answer in time; on one node, this node's.

    Raises:
        NodeNotFound: `only` names no (live) node.
    """
    adapter = broker()
    if hasattr(adapter, "of_nodes"):
        return await adapter.of_nodes(what, only)
    if only is not None and only != node():
        raise NodeNotFound()
    if what == "listeners":
        return {node(): [dataclasses.asdict(x) for x in adapter.status().listeners]}, []
    return {node(): getattr(adapter, what)()}, []


async def per_node_values(what: str, *, aggregate: bool) -> tuple[Any, int, dict[str, str]]:
    """EMQX's answer for per-node values: one entry per node (nodes by name), or, aggregated, the values
    summed over the nodes; the nodes that did not answer in the `Missing-Nodes` header."""
    values, missing = await of_nodes(what)
    body = cluster_total(values, node()) if aggregate else [{"node": name, **values[name]} for name in sorted(values)]
    return body, 200, missing_nodes_header(missing)


async def per_node_answer(what: str, name: str) -> Any:
    """One node's `what`.

    Raises:
        NodeNotFound: no live node has this name.
        BrokerUnavailable: the node did not answer in time.
    """
    values, missing = await of_nodes(what, name)
    if name not in values:
        raise BrokerUnavailable(f"Node {name} did not answer in time" if missing else f"Node {name} failed")
    return values[name]


def missing_nodes_header(missing: Sequence[str]) -> dict[str, str]:
    """The `Missing-Nodes` header of an answer that is not a page: the nodes it lacks (none: no header)."""
    return {"Missing-Nodes": ", ".join(missing)} if missing else {}
