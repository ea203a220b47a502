"""A session's messages, and the number of sessions (EMQX /clients/{clientid}/mqueue_messages ...)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from mqttgate.broker.adapter import Chunk
from mqttgate.handlers._shape import broker
from mqttgate.handlers._time import rfc3339

_START = ("none", "end_of_data")


async def list_mqueue_messages(*, clientid: str, position: str = "none", limit: int = 100, payload: str = "base64",
                               max_payload_bytes: int = 1024 * 1024):
    """One chunk of the client's offline queue."""
    chunk = broker().mqueue_messages(clientid, after=_after(position), limit=limit)
    return _body(chunk, payload, max_payload_bytes)


async def list_inflight_messages(*, clientid: str, position: str = "none", limit: int = 100,
                                 payload: str = "base64", max_payload_bytes: int = 1024 * 1024):
    """One chunk of the client's in-flight window."""
    chunk = broker().inflight_messages(clientid, after=_after(position), limit=limit)
    return _body(chunk, payload, max_payload_bytes)


async def sessions_count(*, since: int = 0):
    """How many sessions the broker holds."""
    return broker().sessions_count(datetime.fromtimestamp(since, UTC) if since else None)


def _after(position: str) -> int | None:
    # "end_of_data" continues after the last message there could be: an empty chunk
    if position == "end_of_data":
        return 2**63
    return None if position == "none" else int(position)


def _body(chunk: Chunk, encoding: str, max_bytes: int) -> dict[str, Any]:
    items = [_message(m, encoding, max_bytes) for m in chunk.items]
    return {"data": items, "meta": {
        "start": items[0]["inserted_at"] if items else "none",
        "position": items[-1]["inserted_at"] if chunk.hasnext else "end_of_data",
        "hasnext": chunk.hasnext,
    }}


def _message(message: Any, encoding: str, max_bytes: int) -> dict[str, Any]:
    data = bytes(message.payload[:max_bytes])
    shown = None if encoding == "none" else data.decode(errors="replace") if encoding == "plain" else \
        base64.b64encode(data).decode()
    return {"msgid": message.msgid, "topic": message.topic, "qos": message.qos,
            "publish_at": rfc3339(message.publish_at), "from_clientid": message.from_clientid,
            "from_username": message.from_username, "payload": shown, "inserted_at": str(message.id)}
