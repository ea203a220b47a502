"""Counting: the broker's metrics and each client's traffic, kept on the MQTT path."""

from __future__ import annotations

import asyncio
from typing import Any

from amqtt.contexts import Action
from amqtt.events import MQTTEvents
from amqtt.mqtt.packet import PUBLISH
from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler
from amqtt.session import Session

from mqttgate.broker.amqtt.gate import GateBroker
from mqttgate.broker.amqtt.sessions import API_PUBLISHER, INFO, session_info
from mqttgate.broker.metrics import CONNACK, SUBACK, Metrics, Traffic

# read once: an Enum member lookup costs as much as counting a packet
_PACKET_RECEIVED, _PACKET_SENT = MQTTEvents.PACKET_RECEIVED, MQTTEvents.PACKET_SENT
_PUBLISH, _RECEIVE = Action.PUBLISH, Action.RECEIVE


class CountingEvents:
    """amqtt's plugin manager as one connection's handler sees it, counting each packet on the way.

    amqtt reports every packet it has read (PACKET_RECEIVED) or written (PACKET_SENT) to the
    plugin manager; a plugin would get each one in a task of its own, so the counters are
    bumped here, in place, and the event goes on to amqtt's plugins.
    """

    def __init__(self, plugins: Any, metrics: Metrics, writer: Any) -> None:
        self._plugins = plugins
        self._metrics = metrics
        self._writer = writer
        self.traffic = Traffic()
        self.connected = False  # a CONNACK accepted this connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._plugins, name)

    # a handler fires only these two events, with these arguments
    def fire_event(self, event_name: Any, *, packet: Any, session: Session | None = None) -> Any:
        if event_name is _PACKET_RECEIVED:
            header = packet.fixed_header
            self._metrics.packet_received(header.packet_type, header.remaining_length, self.traffic)
        # amqtt's stream writer drops what it is given once closed, and still reports it sent
        elif event_name is _PACKET_SENT and not getattr(self._writer, "is_closed", False):
            header = packet.fixed_header
            if header.packet_type == CONNACK:
                self._connack_sent(packet.return_code)
            else:
                self._metrics.packet_sent(header.packet_type, header.flags, header.remaining_length, self.traffic)
                if header.packet_type == SUBACK and 0x80 in packet.payload.return_codes:
                    self._metrics.counts["packets.subscribe.error"] += 1
        return self._plugins.fire_event(event_name, packet=packet, session=session)

    def _connack_sent(self, return_code: int) -> None:
        # amqtt reports the CONNACK refusing a malformed CONNECT before encoding it, so its
        # remaining length is not known yet: in MQTT 3.1.1 it is always 2
        self._metrics.packet_sent(CONNACK, 0, 2, self.traffic)
        self._metrics.connack_sent(return_code)
        self.connected = return_code == 0


class CountingBroker(GateBroker):
    """`GateBroker` keeping `Metrics`: each override counts and leaves the work to `GateBroker`."""

    def _plugins_for(self, writer: Any) -> CountingEvents:
        return CountingEvents(self.plugins_manager, self.metrics, writer)

    async def _initialize_client_session(
        self, reader: Any, writer: Any, remote_address: str, remote_port: int
    ) -> tuple[BrokerProtocolHandler, Session]:
        handler, session = await super()._initialize_client_session(reader, writer, remote_address, remote_port)
        session_info(session).traffic = handler.plugins_manager.traffic
        return handler, session

    async def _handle_client_session(
        self, reader: Any, writer: Any, incoming: Session, handler: BrokerProtocolHandler, server: Any,
        listener_name: str,
    ) -> None:
        events = handler.plugins_manager
        try:
            await super()._handle_client_session(reader, writer, incoming, handler, server, listener_name)
        finally:
            if events.connected:
                self.metrics.client_disconnected()

    async def _authenticate(self, session: Session, listener: Any) -> bool:
        accepted = await super()._authenticate(session, listener)
        self.metrics.authenticated(accepted, anonymous=not session.username)
        return accepted

    async def _resolve_session(self, incoming: Session) -> Session:
        stored = self._sessions.get(incoming.client_id, (None, None))[0]
        was_connected = stored is not None and stored.transitions.state == "connected"
        session = await super()._resolve_session(incoming)
        resumed = session is stored
        self.metrics.session_started(resumed=resumed, taken_over=resumed and was_connected,
                                     discarded=stored is not None and not resumed)
        # the caller registers the session next
        sessions = len(self._sessions) + (session.client_id not in self._sessions)
        self.metrics.peak("sessions", sessions)
        self.metrics.peak("connections", sessions)
        return session

    async def _topic_filtering(self, session: Session, topic: str, action: Action) -> bool:
        allowed = await super()._topic_filtering(session, topic=topic, action=action)
        counts = self.metrics.counts
        if allowed:
            counts["authorization.allow"] += 1
            return True
        counts["authorization.deny"] += 1
        if action is _PUBLISH:
            counts["messages.dropped"] += 1
            if not session.attributes.get(API_PUBLISHER):  # a PUBLISH packet, not an API publish
                counts["packets.publish.auth_error"] += 1
        elif action is _RECEIVE:
            counts["delivery.dropped"] += 1
        return False

    async def _route_received(self, session: Session, message: Any) -> None:
        # a client's PUBLISH; API publishes enter at route_publish and count as messages.publish
        self.metrics.message_received(message.qos or 0)
        session.attributes[INFO].traffic.recv_msg += 1
        await super()._route_received(session, message)

    def _publish_refused(self, handler: Any, frame: Any) -> None:
        # counted as a routed PUBLISH is (_route_received), and as an error
        traffic = handler.plugins_manager.traffic
        self.metrics.packet_received(PUBLISH, len(frame.body), traffic)
        self.metrics.message_received(min((frame.flags >> 1) & 0x03, 2))
        traffic.recv_msg += 1
        self.metrics.counts["packets.publish.error"] += 1
        self.metrics.counts["messages.dropped"] += 1

    def _routed(self, subscriptions: int) -> None:
        self.metrics.message_routed(subscriptions)

    def _not_queued(self, session: Session) -> None:
        self.metrics.counts["delivery.dropped"] += 1

    async def _retain_broadcast_message(self, broadcast: dict[str, Any], qos: int, target: Session) -> None:
        info = session_info(target)
        dropped = info.mqueue_dropped
        await super()._retain_broadcast_message(broadcast, qos, target)
        if info.mqueue_dropped > dropped:  # the queue was full: its oldest went
            self.metrics.counts["delivery.dropped"] += info.mqueue_dropped - dropped
            self.metrics.counts["delivery.dropped.queue_full"] += info.mqueue_dropped - dropped

    async def add_subscription(self, subscription: tuple[str, int], session: Session) -> int:
        granted = await super().add_subscription(subscription, session)
        if granted != 0x80:
            metrics = self.metrics
            metrics.subscriptions += 1
            if len(self._subscriptions[subscription[0]]) == 1:
                metrics.topics += 1
            metrics.peak("subscriptions", metrics.subscriptions)
            metrics.peak("topics", metrics.topics)
        return granted

    def _del_subscription(self, a_filter: str, session: Session) -> int:
        deleted = super()._del_subscription(a_filter, session)
        if deleted:
            self.metrics.subscriptions -= deleted
            if not self._subscriptions.get(a_filter):
                self.metrics.topics -= 1
        return deleted

    async def retain_message(self, source_session: Session | None, topic_name: str | None, data: Any,
                             qos: int | None = None, *, msgid: str | None = None) -> asyncio.Future[None] | None:
        stored = await super().retain_message(source_session, topic_name, data, qos, msgid=msgid)
        self.metrics.peak("retained", len(self._retained_messages))
        return stored

    def load_retained(self) -> None:
        super().load_retained()
        self.metrics.peak("retained", len(self._retained_messages))


