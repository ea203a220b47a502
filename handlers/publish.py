"""Publish over HTTP (EMQX /publish and /publish/bulk), as the API key's name."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from mqttgate.broker.adapter import Publish, Published
from mqttgate.broker.errors import InvalidRequest
from mqttgate.handlers._shape import broker

# EMQX's answer for a message no subscription matched (MQTT 5 reason code 0x10)
NO_MATCHING_SUBSCRIBERS = {"reason_code": 16, "message": "no_matching_subscribers"}


async def publish(*, body: dict[str, Any], user: str):
    """Publish one message; 200 once routed to a subscriber, 202 when none matched."""
    (result,) = await broker().publish([_message(body)], publisher=user)
    return _outcome(result), 200 if result.subscribers else 202


async def publish_bulk(*, body: list[dict[str, Any]], user: str):
    """Publish messages in order, all or none; 202 when any matched no subscriber."""
    results = await broker().publish([_message(item, index) for index, item in enumerate(body)], publisher=user)
    return [_outcome(result) for result in results], 200 if all(r.subscribers for r in results) else 202


def _message(body: dict[str, Any], index: int | None = None) -> Publish:
    where = "Payload" if index is None else f"Message at index {index}: payload"
    payload = body["payload"]
    try:
        if body.get("payload_encoding") == "base64":
            data = base64.b64decode("".join(payload.split()), validate=True)
        else:
            data = payload.encode()
    except (binascii.Error, ValueError):  # UnicodeEncodeError is a ValueError
        encoding = body.get("payload_encoding", "plain")
        raise InvalidRequest(f"{where} is not valid {'base64' if encoding == 'base64' else 'UTF-8 text'}") from None
    return Publish(topic=body["topic"], payload=data, qos=body.get("qos", 0), retain=body.get("retain", False))


def _outcome(result: Published) -> dict[str, Any]:
    return {"id": result.id} if result.subscribers else dict(NO_MATCHING_SUBSCRIBERS)
