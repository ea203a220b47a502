"""Retained messages: list, inspect, delete (EMQX /mqtt/retainer)."""

from __future__ import annotations

import base64
from typing import Any

from connexion import NoContent

from mqttgate.broker.adapter import RetainedMessage
from mqttgate.handlers._shape import broker, page_body
from mqttgate.handlers._time import rfc3339


def _summary(message: RetainedMessage) -> dict[str, Any]:
    return {"topic": message.topic, "qos": message.qos, "msgid": message.msgid,
            "publish_at": rfc3339(message.publish_at), "from_clientid": message.from_clientid,
            "from_username": message.from_username}


async def list_retained(*, page: int = 1, limit: int = 100, topic: str | None = None):
    """One page of retained messages, all or those matching a topic filter, without payloads."""
    result = broker().list_retained(topic, page=page, limit=limit)
    return page_body(result, page=page, limit=limit, shape=_summary)


async def get_retained(*, topic: str):
    """One topic's retained message, with its payload in base64."""
    message = broker().get_retained(topic)
    return {**_summary(message), "payload": base64.b64encode(message.payload).decode()}


async def delete_retained(*, topic: str):
    """Delete one topic's retained message."""
    await broker().delete_retained(topic)
    return NoContent, 204


async def clear_retained(*, topic: str | None = None):
    """Delete every retained message, or those matching a topic filter."""
    await broker().clear_retained(topic)
    return NoContent, 204
