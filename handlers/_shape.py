"""What every handler shares: the adapter of this request, and the wire shapes of pages and times."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from connexion import request

from mqttgate.broker.access import Access
from mqttgate.broker.adapter import BrokerAdapter, Page
from mqttgate.broker.api_keys import ApiKeys
from mqttgate.broker.errors import InvalidRequest
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


def by_node(values: dict[str, Any], *, aggregate: bool) -> dict[str, Any] | list[dict[str, Any]]:
    """EMQX's answer for per-node values: the values alone when aggregated, else one entry per node."""
    return values if aggregate else [{"node": node(), **values}]
