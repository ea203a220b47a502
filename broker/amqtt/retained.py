"""Retained messages: written through to the store, sent on SUBSCRIBE only, ACL-checked."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from amqtt.broker import RetainedApplicationMessage
from amqtt.contexts import Action
from amqtt.session import Session

from mqttgate.broker import topics
from mqttgate.broker.adapter import RetainedMessage
from mqttgate.broker.amqtt.sessions import new_msgid, now
from mqttgate.broker.retained import RetainedStore


class Retained(RetainedApplicationMessage):
    """amqtt's retained message, with what mqttgate keeps of it."""

    __slots__ = ("record",)

    def __init__(self, record: RetainedMessage) -> None:
        super().__init__(None, record.topic, record.payload, record.qos)
        self.record = record



class RetainedRules:
    """Broker mixin: retained messages loaded at start, stored on change, delivered per subscription."""

    retained_store: RetainedStore

    async def _start_listeners(self) -> None:
        # Broker.start() has just emptied the retained messages: load the stored ones
        # before any client can connect.
        self.load_retained()
        await super()._start_listeners()

    def load_retained(self) -> None:
        """Replace the retained messages in memory by the stored ones."""
        self._retained_messages.clear()
        for record in self.retained_store.load():
            self._retained_messages[record.topic] = Retained(record)

    async def retain_message(self, source_session: Session | None, topic_name: str | None,
                             data: bytes | bytearray | None, qos: int | None = None, *,
                             msgid: str | None = None) -> asyncio.Future[None] | None:
        """Keep `data` as the topic's retained message, or delete that if `data` is empty.

        amqtt keeps retained messages in memory only; here each change is also written to
        SQLite. Returns the future of that write, or None if nothing changed.
        """
        if not topic_name:
            return None
        if not data:
            return self.forget_retained([topic_name]) if topic_name in self._retained_messages else None
        record = RetainedMessage(
            topic=topic_name, payload=bytes(data), qos=qos or 0, msgid=msgid or new_msgid(), publish_at=now(),
            from_clientid=source_session.client_id if source_session else None,
            from_username=source_session.username if source_session else None,
        )
        self._retained_messages[topic_name] = Retained(record)
        return self.retained_store.put(record)

    def apply_retained(self, topic: str, record: RetainedMessage | None) -> None:
        """Hold (or drop, if None) a retained message another node of the cluster changed and stored."""
        if record is None:
            self._retained_messages.pop(topic, None)
        else:
            self._retained_messages[topic] = Retained(record)

    def forget_retained(self, names: Sequence[str]) -> asyncio.Future[None]:
        """Delete the retained messages of these topics; the future is done once that is on disk."""
        for name in names:
            self._retained_messages.pop(name, None)
        return self.retained_store.delete(names)

    async def _publish_retained_messages_for_subscription(self, subscription: tuple[str, int],
                                                          session: Session) -> None:
        """Send `session` the retained messages its new subscription matches.

        amqtt sends a QoS 0 retained message at the subscription's QoS, skips the ACL's
        receive check, and waits for every acknowledgement inside the client's message
        loop. Here each goes at min(retained QoS, subscription QoS), only if the ACL lets
        the session receive it, and without blocking the loop.
        """
        topic_filter, sub_qos = subscription
        handler = self._get_handler(session)
        if handler is None:
            return
        if "+" in topic_filter or "#" in topic_filter:
            matching = [m for t, m in self._retained_messages.items() if topics.matches(t, topic_filter)]
        else:
            matching = [m for m in (self._retained_messages.get(topic_filter),) if m is not None]
        for message in matching:
            if await self._topic_filtering(session, topic=message.topic, action=Action.RECEIVE):
                qos = min(message.qos or 0, sub_qos)
                self.trace("PUBLISH out", session, message.topic, message.data, qos)
                self._tasks_queue.append(handler.send_later(
                    handler.mqtt_publish(message.topic, message.data, qos, retain=True)))
