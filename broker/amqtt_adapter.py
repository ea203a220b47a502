"""`BrokerAdapter` on the embedded amqtt 0.12.1 broker: the only module that imports amqtt.

amqtt's own flow has faults (see DESIGN.md); `_GateBroker` overrides the steps that
carry them, and each override says which fault it closes.
"""

from __future__ import annotations

import asyncio
import logging
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from amqtt.broker import Broker, RetainedApplicationMessage
from amqtt.contexts import Action, BrokerConfig, ListenerConfig, ListenerType
from amqtt.errors import AMQTTError, MQTTError
from amqtt.events import MQTTEvents
from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler
from amqtt.session import Session
from amqtt.utils import gen_client_id

from broker import topics
from broker.access import Access
from broker.adapter import (
    BrokerStatus,
    Client,
    ClientFilter,
    Listener,
    Page,
    Publish,
    Published,
    RetainedMessage,
    Route,
    Subscription,
    SubscriptionFilter,
)
from broker.banned import Ban
from broker.errors import (
    BrokerUnavailable,
    ClientNotFound,
    InvalidRequest,
    InvalidTopic,
    NotAuthorized,
    RetainedNotFound,
    TopicNotFound,
)
from broker.metrics import CONNACK, SUBACK, Metrics, Traffic
from broker.retained import RetainedStore
from broker.traces import Tracer

log = logging.getLogger(__name__)

_INFO = "mqttgate.info"  # key of our bookkeeping in Session.attributes
_API = "mqttgate.api"  # marks the detached session an API key publishes as
# read once: an Enum member lookup costs as much as counting a packet
_PACKET_RECEIVED, _PACKET_SENT = MQTTEvents.PACKET_RECEIVED, MQTTEvents.PACKET_SENT
_PUBLISH, _RECEIVE = Action.PUBLISH, Action.RECEIVE
_CLOSE_WAIT = 2.0  # seconds a closing connection may take before its transport is aborted
_ROUTE_WAIT = 10.0  # seconds an API publish waits for the broadcast loop (only slow while stopping)


@dataclass
class _Info:
    """What mqttgate knows of a session beyond amqtt's Session."""

    created_at: datetime
    keepalive: int = 0
    listener: str | None = None
    connected_at: datetime | None = None
    disconnected_at: datetime | None = None
    subscriptions: dict[str, int] = field(default_factory=dict)
    mqueue_dropped: int = 0
    connection_closed: asyncio.Event = field(default_factory=asyncio.Event)
    transport: Any = None
    traffic: Traffic = field(default_factory=Traffic)  # of the current (or last) connection
    superuser: bool = False


def _info(session: Session) -> _Info:
    info = session.attributes.get(_INFO)
    if info is None:
        info = session.attributes[_INFO] = _Info(created_at=_now())
    return info


class _Retained(RetainedApplicationMessage):
    """amqtt's retained message, with what mqttgate keeps of it."""

    __slots__ = ("record",)

    def __init__(self, record: RetainedMessage) -> None:
        super().__init__(None, record.topic, record.payload, record.qos)
        self.record = record


@dataclass(frozen=True)
class _Routed:
    """A publish handed to the broadcast loop.

    Attributes:
        reached: how many subscriptions it was routed to, once the loop has routed it.
        stored: done once its retained change is on disk; None if not retained.
    """

    reached: asyncio.Future[int]
    stored: asyncio.Future[None] | None


class _GateHandler(BrokerProtocolHandler):
    def handle_read_timeout(self) -> None:
        # amqtt ignores a client that stays silent past its keepalive; MQTT 3.1.1
        # §3.1.2.10 says close it (which publishes its will).
        self._closing = asyncio.ensure_future(self.handle_connection_closed())


_CHECKS = {Action.PUBLISH: "publish", Action.SUBSCRIBE: "subscribe", Action.RECEIVE: "receive"}


class _GateBroker(Broker):
    def __init__(self, config: BrokerConfig, *, allow_anonymous: bool, connect_timeout: float,
                 max_mqueue_len: int, max_payload_size: int, retained_store: RetainedStore,
                 tracer: Tracer | None, access: Access | None = None) -> None:
        super().__init__(config)
        self.allow_anonymous = allow_anonymous
        self.connect_timeout = connect_timeout
        self.max_mqueue_len = max_mqueue_len
        self.max_payload_size = max_payload_size
        self.retained_store = retained_store
        self.tracer = tracer
        self.access = access
        self.transports: set[asyncio.BaseTransport] = set()
        self.metrics = Metrics()  # _CountingBroker bumps them

    async def _start_listeners(self) -> None:
        # Broker.start() has just emptied the retained messages: load the stored ones
        # before any client can connect.
        self.load_retained()
        await super()._start_listeners()

    def load_retained(self) -> None:
        """Replace the retained messages in memory by the stored ones."""
        self._retained_messages.clear()
        for record in self.retained_store.load():
            self._retained_messages[record.topic] = _Retained(record)

    # Connections are tracked so that shutdown can abort the ones that would not close.
    async def stream_connected(self, reader: Any, writer: asyncio.StreamWriter, listener_name: str) -> None:
        await self._tracked(writer.transport, super().stream_connected(reader, writer, listener_name))

    async def ws_connected(self, websocket: Any, listener_name: str) -> None:
        await self._tracked(websocket.transport, super().ws_connected(websocket, listener_name))

    async def _tracked(self, transport: asyncio.BaseTransport, connection: Any) -> None:
        self.transports.add(transport)
        try:
            await connection
        finally:
            self.transports.discard(transport)

    async def _initialize_client_session(
        self, reader: Any, writer: Any, remote_address: str, remote_port: int
    ) -> tuple[BrokerProtocolHandler, Session]:
        # amqtt waits for CONNECT forever, and resolves (even deletes) the stored session
        # before authentication. Here: CONNECT within connect_timeout, and the session is
        # resolved in _handle_client_session only once the client is authenticated.
        try:
            handler, session = await asyncio.wait_for(
                _GateHandler.init_from_connect(reader, writer, self._plugins_for(writer)), self.connect_timeout
            )
        except TimeoutError:
            await _close(writer)
            raise AMQTTError(f"no CONNECT from {remote_address}:{remote_port} within {self.connect_timeout}s") from None
        except MQTTError:
            await _close(writer)
            raise
        except Exception as exc:
            await _close(writer)
            raise AMQTTError(f"bad CONNECT from {remote_address}:{remote_port}: {exc!r}") from None
        if not session.client_id:
            session.client_id = gen_client_id()
        info = _info(session)
        info.keepalive = session.keep_alive
        info.transport = getattr(getattr(writer, "_writer", None), "transport", None) or getattr(
            getattr(writer, "_protocol", None), "transport", None
        )
        if session.keep_alive > 0:
            # the reader times out after 1.5x keepalive (MQTT 3.1.1 §3.1.2.10)
            session.keep_alive = math.ceil(session.keep_alive * 1.5)
        return handler, session

    async def _handle_client_session(
        self, reader: Any, writer: Any, incoming: Session, handler: BrokerProtocolHandler, server: Any,
        listener_name: str,
    ) -> None:
        if not await self._authenticate(incoming, self.listeners_config[listener_name]):
            # Refused: answer and close, leaving every stored session untouched (amqtt
            # would take over a connected client of that id and leave a ghost session).
            handler.attach(incoming, reader, writer)
            await handler.mqtt_connack_authorize(False)
            await _close(writer)
            return
        session = await self._resolve_session(incoming)
        info = _info(session)
        info.listener = listener_name
        info.connected_at, info.disconnected_at = _now(), None
        info.connection_closed = asyncio.Event()
        info.keepalive, info.transport = _info(incoming).keepalive, _info(incoming).transport
        info.traffic = _info(incoming).traffic
        info.superuser = _info(incoming).superuser
        session.transitions.connect()
        handler.attach(session, reader, writer)
        self._sessions[session.client_id] = (session, handler)
        try:
            await handler.mqtt_connack_authorize(True)
            self.trace("CONNECT", session)
            await handler.start()
            # Only the messages queued for this session while it was offline. amqtt also
            # sends every retained message matching any client's filter here: not done.
            await self._publish_session_retained_messages(session)
            await self._client_message_loop(session, handler)
        finally:
            info.disconnected_at = _now()
            info.connection_closed.set()
            self.trace("DISCONNECT", session)

    async def _resolve_session(self, incoming: Session) -> Session:
        """The session this CONNECT continues (clean_session false) or a fresh one."""
        client_id = incoming.client_id
        stored = self._sessions.get(client_id, (None, None))[0]
        if stored is not None and stored.transitions.state == "connected":
            await self.take_over(stored)
        if incoming.clean_session or stored is None:
            await self._delete_session(client_id)
            incoming.parent = 0
            return incoming
        for name in ("will_flag", "will_message", "will_topic", "will_qos", "will_retain", "keep_alive",
                     "username", "password", "remote_address", "remote_port", "ssl_object"):
            setattr(stored, name, getattr(incoming, name))
        stored.parent = 1
        return stored

    async def take_over(self, session: Session) -> None:
        """Close the connection of a client whose id connects again, without its will."""
        session.will_flag = False
        await self.close_connection(session)

    async def close_connection(self, session: Session) -> None:
        """Close a connected session's connection and wait until amqtt has let it go."""
        info = _info(session)
        handler = self._sessions.get(session.client_id, (None, None))[1]
        if handler is not None:
            await handler.handle_connection_closed()
        try:
            await asyncio.wait_for(info.connection_closed.wait(), _CLOSE_WAIT)
        except TimeoutError:
            log.warning("connection of %s did not close in %ss; aborting it", session.client_id, _CLOSE_WAIT)
            if info.transport is not None:
                info.transport.abort()
            await asyncio.wait_for(info.connection_closed.wait(), _CLOSE_WAIT)

    async def _handle_message_delivery(self, session: Session, handler: Any, wait_deliver: asyncio.Future[Any]) -> bool:
        message = wait_deliver.result()
        if message is not None and not await self._route_received(session, message):
            # amqtt leaves the message loop but keeps the connection open and the client
            # listed as connected; MQTT 3.1.1 §4.8 says close it (which publishes its will).
            await handler.handle_connection_closed()
        return True

    async def _route_received(self, session: Session, message: Any) -> bool:
        """Route one PUBLISH received from an MQTT client; False if it breaks the rules."""
        try:
            topics.check_publish(message.topic)
        except InvalidTopic as exc:
            log.warning("%s: %s; closing its connection", session.client_id, exc.message)
            return False
        if len(message.data) > self.max_payload_size:
            log.warning("%s published %d bytes, over max_payload_size (%d); closing its connection",
                        session.client_id, len(message.data), self.max_payload_size)
            return False
        retain = bool(message.publish_packet and message.publish_packet.retain_flag)
        await self.route_publish(session, message.topic, message.data, message.qos or 0, retain=retain)
        return True

    async def route_publish(self, session: Session, topic: str, data: bytes | bytearray, qos: int, *, retain: bool,
                            authorized: bool = False, msgid: str | None = None) -> _Routed | None:
        """Route one publish from `session`: the one path of MQTT clients and API publishers.

        Unlike amqtt, the publish QoS travels with the message, so that a subscriber gets
        min(publish QoS, subscription QoS) and a QoS 0 publish is never upgraded.

        Args:
            authorized: the caller has already asked the ACL for this session and topic.
            msgid: the message's id, kept with it if retained; None makes one.

        Returns:
            None if the ACL refuses it; else what became of it.
        """
        self.trace("PUBLISH in", session, topic, data, qos)
        if not authorized and not await self._topic_filtering(session, topic=topic, action=Action.PUBLISH):
            log.info("%s may not publish to %r; dropped", session.client_id, topic)
            return None
        reached = asyncio.get_running_loop().create_future()
        await self._broadcast_queue.put({"session": session, "topic": topic, "data": data, "qos": qos,
                                         "reached": reached})
        stored = await self.retain_message(session, topic, data, qos, msgid=msgid) if retain else None
        return _Routed(reached, stored)

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
            topic=topic_name, payload=bytes(data), qos=qos or 0, msgid=msgid or _new_id(), publish_at=_now(),
            from_clientid=source_session.client_id if source_session else None,
            from_username=source_session.username if source_session else None,
        )
        self._retained_messages[topic_name] = _Retained(record)
        return self.retained_store.put(record)

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
                self._tasks_queue.append(asyncio.ensure_future(
                    handler.mqtt_publish(message.topic, message.data, qos, retain=True)))

    async def _handle_disconnect(self, session: Session, handler: Any, disconnect_waiter: asyncio.Future[Any]) -> None:
        # amqtt drops what the client published (and was acknowledged) but the message
        # loop had not yet taken when the connection ended: route it first.
        queue = session.delivered_message_queue
        while not queue.empty():
            message = queue.get_nowait()
            if message is not None:
                await self._route_received(session, message)
        await super()._handle_disconnect(session, handler, disconnect_waiter)

    async def _run_broadcast(self, running_tasks: Any) -> None:
        broadcast = await self._broadcast_queue.get()
        reached = 0
        try:
            reached = await self._deliver(broadcast, running_tasks)
        finally:
            waiter = broadcast.get("reached")  # an API publish waits to know
            if waiter is not None and not waiter.done():
                waiter.set_result(reached)

    async def _deliver(self, broadcast: dict[str, Any], running_tasks: Any) -> int:
        """Hand one message to every subscription it matches; how many it reached."""
        topic, publish_qos = broadcast["topic"], broadcast.get("qos")
        matched = reached = 0
        for a_filter, subscriptions in list(self._subscriptions.items()):
            if not subscriptions or not topics.matches(topic, a_filter):
                continue
            matched += len(subscriptions)
            for target, sub_qos in list(subscriptions):
                qos = sub_qos if publish_qos is None else min(publish_qos, sub_qos)
                if not await self._topic_filtering(target, topic=topic, action=Action.RECEIVE):
                    continue
                if target.transitions.state != "connected":
                    # queued for an offline persistent session, QoS 1 and 2 only [MQTT-3.1.2-5]
                    if not target.clean_session and qos > 0:
                        await self._retain_broadcast_message(broadcast, qos, target)
                        reached += 1
                    else:
                        self._not_queued(target)
                    continue
                handler = self._get_handler(target)
                if handler is not None:
                    self.trace("PUBLISH out", target, topic, broadcast["data"], qos)
                    running_tasks.append(asyncio.ensure_future(
                        handler.mqtt_publish(topic, broadcast["data"], qos, retain=False)))
                    reached += 1
        self._routed(matched)
        return reached

    async def _retain_broadcast_message(self, broadcast: dict[str, Any], qos: int, target: Session) -> None:
        # amqtt's offline queue is unbounded: past max_mqueue_len the oldest message goes
        queue = target.retained_messages
        while queue.qsize() >= self.max_mqueue_len:
            queue.get_nowait()
            _info(target).mqueue_dropped += 1
        await super()._retain_broadcast_message(broadcast, qos, target)

    async def _authenticate(self, session: Session, listener: Any) -> bool:
        # amqtt's AnonymousAuthPlugin marks every session anonymous, which disables offline
        # queueing for all of them; mqttgate decides here instead.
        if self.access is None:
            return self.allow_anonymous or bool(session.username)
        verdict = await self.access.authenticate(session.client_id, session.username, session.password,
                                                 session.remote_address, allow_anonymous=self.allow_anonymous)
        session.password = None  # checked: not kept in memory with the session
        if not verdict.accepted:
            log.info("CONNECT of %r from %s refused: %s", session.client_id, session.remote_address, verdict.reason)
            return False
        _info(session).superuser = verdict.superuser
        return True

    async def _topic_filtering(self, session: Session, topic: str, action: Action) -> bool:
        """Whether the ACL lets `session` publish, subscribe to, or receive `topic`."""
        if self.access is None:
            return True
        info = session.attributes.get(_INFO)
        if info is not None and info.superuser:
            return True
        return self.access.acl.allows(session.client_id, session.username, _CHECKS[action], topic)

    async def add_subscription(self, subscription: tuple[str, int], session: Session) -> int:
        # amqtt keeps the first QoS when a client subscribes again to the same filter;
        # MQTT 3.1.1 §3.8.4 says the new subscription replaces it.
        if subscription[0] in _info(session).subscriptions:
            self._del_subscription(subscription[0], session)
        granted = await super().add_subscription(subscription, session)
        if granted != 0x80:
            _info(session).subscriptions[subscription[0]] = granted
        self.trace("SUBSCRIBE", session, subscription[0], qos=granted)
        return granted

    def _del_subscription(self, a_filter: str, session: Session) -> int:
        deleted = super()._del_subscription(a_filter, session)
        if deleted:
            _info(session).subscriptions.pop(a_filter, None)
            self.trace("UNSUBSCRIBE", session, a_filter)
        return deleted

    def trace(self, event: str, session: Session, topic: str | None = None, payload: Any = None,
              qos: int | None = None) -> None:
        if self.tracer is not None:
            self.tracer.record(event, session.client_id, session.remote_address, topic, payload, qos)

    # Where _CountingBroker counts; without counters there is nothing to do.
    def _plugins_for(self, writer: Any) -> Any:
        """The plugin manager the handler of a new connection reports its packets to."""
        return self.plugins_manager

    def _routed(self, subscriptions: int) -> None:
        """A published message matched `subscriptions` subscriptions (0: it is dropped)."""

    def _not_queued(self, session: Session) -> None:
        """A message for offline `session` is dropped: QoS 0, or a clean session."""


class _CountingEvents:
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


class _CountingBroker(_GateBroker):
    """`_GateBroker` keeping `Metrics`: each override counts and leaves the work to `_GateBroker`."""

    def _plugins_for(self, writer: Any) -> _CountingEvents:
        return _CountingEvents(self.plugins_manager, self.metrics, writer)

    async def _initialize_client_session(
        self, reader: Any, writer: Any, remote_address: str, remote_port: int
    ) -> tuple[BrokerProtocolHandler, Session]:
        handler, session = await super()._initialize_client_session(reader, writer, remote_address, remote_port)
        _info(session).traffic = handler.plugins_manager.traffic
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
            if not session.attributes.get(_API):  # a PUBLISH packet, not an API publish
                counts["packets.publish.auth_error"] += 1
        elif action is _RECEIVE:
            counts["delivery.dropped"] += 1
        return False

    async def _route_received(self, session: Session, message: Any) -> bool:
        # a client's PUBLISH; API publishes enter at route_publish and count as messages.publish
        self.metrics.message_received(message.qos or 0)
        session.attributes[_INFO].traffic.recv_msg += 1
        routed = await super()._route_received(session, message)
        if not routed:
            self.metrics.counts["packets.publish.error"] += 1
            self.metrics.counts["messages.dropped"] += 1
        return routed

    def _routed(self, subscriptions: int) -> None:
        self.metrics.message_routed(subscriptions)

    def _not_queued(self, session: Session) -> None:
        self.metrics.counts["delivery.dropped"] += 1

    async def _retain_broadcast_message(self, broadcast: dict[str, Any], qos: int, target: Session) -> None:
        info = _info(target)
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


async def _close(writer: Any) -> None:
    try:
        await asyncio.wait_for(writer.close(), _CLOSE_WAIT)
    except (TimeoutError, OSError):
        pass


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


_AMQTT_TYPES = {"tcp": (ListenerType.TCP, False), "tls": (ListenerType.TCP, True),
                "ws": (ListenerType.WS, False), "wss": (ListenerType.WS, True)}


class AmqttBrokerAdapter:
    """The broker port on amqtt.

    Args:
        listeners: MQTT listeners by name (`mqttgate.config.MqttListener`-shaped).
        retained: where retained messages are kept across restarts.
        allow_anonymous: accept CONNECTs without a username.
        connect_timeout: seconds a new connection has to send CONNECT.
        session_expiry_interval: seconds an offline persistent session is kept.
        max_mqueue_len: messages queued for an offline persistent session; past it the oldest is dropped.
        max_payload_size: bytes a published payload may have, over MQTT or the API.
        tracer: the trace recordings, told of every packet event.
        metrics: keep the counters of `metrics()` and the clients' traffic fields; False only to
            measure what counting costs (`bench/counters.py`): they then stay 0.
        access: bans, users and ACL rules; None accepts every CONNECT (by `allow_anonymous`)
            and every topic.
    """

    def __init__(self, listeners: dict[str, Any], *, retained: RetainedStore, allow_anonymous: bool = True,
                 connect_timeout: float = 10.0, session_expiry_interval: int = 7200, max_mqueue_len: int = 1000,
                 max_payload_size: int = 1024 * 1024, tracer: Tracer | None = None, metrics: bool = True,
                 access: Access | None = None) -> None:
        self._listener_types = {name: listener.type for name, listener in listeners.items()}
        self._max_connections = {name: listener.max_connections for name, listener in listeners.items()}
        self._broker_class = _CountingBroker if metrics else _GateBroker
        config = BrokerConfig(listeners={"default": ListenerConfig(bind=None)}, plugins={},
                              session_expiry_interval=session_expiry_interval)
        # set after construction: BrokerConfig would copy "default" fields into the others
        config.listeners = {
            name: ListenerConfig(
                type=_AMQTT_TYPES[listener.type][0], bind=listener.bind, ssl=_AMQTT_TYPES[listener.type][1],
                certfile=listener.certfile, keyfile=listener.keyfile, max_connections=listener.max_connections,
            )
            for name, listener in listeners.items()
        }
        if "default" not in config.listeners:
            config.listeners["default"] = ListenerConfig(bind=None)
        self._allow_anonymous = allow_anonymous
        self._connect_timeout = connect_timeout
        self._expiry = session_expiry_interval
        self._max_mqueue_len = max_mqueue_len
        self._max_payload_size = max_payload_size
        self._retained = retained
        self._tracer = tracer
        self._access = access
        if access is not None:
            access.bans.on_added.append(self._kick_banned)
        self._config = config
        self._background: set[asyncio.Future[Any]] = set()
        self._broker: _GateBroker | None = None
        self._started_at: datetime | None = None
        self._publishers: dict[str, Session] = {}

    async def start(self) -> None:
        self._broker = self._broker_class(self._config, allow_anonymous=self._allow_anonymous,
                                          connect_timeout=self._connect_timeout, max_mqueue_len=self._max_mqueue_len,
                                          max_payload_size=self._max_payload_size, retained_store=self._retained,
                                          tracer=self._tracer, access=self._access)
        await self._broker.start()
        self._started_at = _now()

    async def stop(self) -> None:
        broker, self._broker, self._started_at = self._broker, None, None
        if broker is None or broker.transitions.state != "started":
            return
        for server in broker._servers.values():
            if server.instance is not None:
                server.instance.close()
        shutdown = asyncio.ensure_future(broker.shutdown())
        done, _ = await asyncio.wait({shutdown}, timeout=1.5)
        if not done:
            # Python 3.12+ Server.wait_closed() waits for every connection, and amqtt
            # closes only those with a session: abort the rest (half-open ones included).
            log.info("aborting %d connection(s) that did not close", len(broker.transports))
            for transport in list(broker.transports):
                transport.abort()
            done, _ = await asyncio.wait({shutdown}, timeout=1.5)
        if not done:
            shutdown.cancel()
            log.warning("broker shutdown did not finish in time; cancelled")
        elif shutdown.exception():
            log.error("broker shutdown failed", exc_info=shutdown.exception())

    @property
    def _running(self) -> _GateBroker:
        if self._broker is None or self._broker.transitions.state != "started":
            raise BrokerUnavailable()
        return self._broker

    def status(self) -> BrokerStatus:
        broker = self._broker
        running = broker is not None and broker.transitions.state == "started"
        listeners = []
        if running:
            for name, server in broker._servers.items():
                sockets = list(getattr(server.instance, "sockets", None) or [])
                host, port = sockets[0].getsockname()[:2] if sockets else ("", 0)
                listeners.append(Listener(name=name, type=self._listener_types[name],
                                          bind=f"{host}:{port}", running=bool(sockets),
                                          current_connections=server.conn_count,
                                          max_connections=self._max_connections[name]))
        return BrokerStatus(running=running, started_at=self._started_at, listeners=listeners)

    def stats(self) -> dict[str, int]:
        broker = self._running
        sessions = broker.sessions
        live = sum(1 for session, _ in sessions.values() if session.transitions.state == "connected")
        routes = [len(subscribers) for subscribers in broker.subscriptions.values() if subscribers]
        return broker.metrics.stats({
            "connections": len(sessions), "live_connections": live, "sessions": len(sessions),
            "subscriptions": sum(routes), "topics": len(routes), "retained": len(broker.retained_messages),
        })

    def metrics(self) -> dict[str, int]:
        return self._running.metrics.snapshot()

    def list_clients(self, where: ClientFilter, *, page: int, limit: int) -> Page[Client]:
        sessions = self._running.sessions
        start = (page - 1) * limit
        if where.is_empty:
            # islice over the dict's values skips earlier pages in C: a page costs its own clients
            found = [entry[0] for entry in islice(sessions.values(), start, start + limit + 1)]
            count: int | None = len(sessions)
        else:
            matching = (entry[0] for entry in sessions.values() if _matches(entry[0], where))
            found = list(islice(matching, start, start + limit + 1))
            count = None
        return Page(items=[self._client(s) for s in found[:limit]], hasnext=len(found) > limit, count=count)

    def get_client(self, clientid: str) -> Client:
        return self._client(self._session(clientid))

    def _client(self, session: Session) -> Client:
        return _client(session, expiry=0 if session.clean_session else self._expiry, mqueue_max=self._max_mqueue_len)

    async def kick_client(self, clientid: str) -> None:
        broker = self._running
        session = self._session(clientid)
        if session.transitions.state == "connected":
            await broker.close_connection(session)
        if broker.sessions.get(clientid, (None,))[0] is session:
            await broker._cleanup_session(clientid)

    async def kick_clients(self, clientids: Any) -> None:
        present = [c for c in dict.fromkeys(clientids) if c in self._running.sessions]
        await asyncio.gather(*(self.kick_client(c) for c in present))

    def client_subscriptions(self, clientid: str) -> list[Subscription]:
        session = self._session(clientid)
        return [Subscription(clientid, f, qos) for f, qos in _info(session).subscriptions.items()]

    async def subscribe(self, clientid: str, requests: Any) -> list[Subscription]:
        broker = self._running
        session = self._session(clientid)
        for topic_filter, _ in requests:
            topics.check_filter(topic_filter)
        for topic_filter, _ in requests:
            if not await broker._topic_filtering(session, topic_filter, Action.SUBSCRIBE):
                raise NotAuthorized(f"Not authorized to subscribe to {topic_filter!r}")
        made = []
        for topic_filter, qos in requests:
            granted = await broker.add_subscription((topic_filter, qos), session)
            if granted == 0x80:  # the ACL changed its mind between the check and now
                raise NotAuthorized(f"Not authorized to subscribe to {topic_filter!r}")
            made.append(Subscription(clientid, topic_filter, granted))
            if session.transitions.state == "connected":
                # as after a SUBSCRIBE: the matching retained messages, in the background so
                # that a slow client does not hold the HTTP answer
                task = asyncio.ensure_future(
                    broker._publish_retained_messages_for_subscription((topic_filter, granted), session))
                self._background.add(task)
                task.add_done_callback(self._background.discard)
        return made

    async def unsubscribe(self, clientid: str, topic_filters: Any) -> None:
        broker = self._running
        session = self._session(clientid)
        for topic_filter in topic_filters:
            topics.check_filter(topic_filter)
        for topic_filter in topic_filters:
            broker._del_subscription(topic_filter, session)

    def list_subscriptions(self, where: SubscriptionFilter, *, page: int, limit: int) -> Page[Subscription]:
        subscriptions = self._running.subscriptions
        if where.clientid is not None:
            entry = self._running.sessions.get(where.clientid)
            by_filter = {f: [(entry[0], q)] for f, q in _info(entry[0]).subscriptions.items()} if entry else {}
        elif where.topic is not None:
            by_filter = {where.topic: subscriptions.get(where.topic, [])}
        else:
            by_filter = subscriptions
        found = (
            Subscription(session.client_id, topic_filter, qos)
            for topic_filter, held in list(by_filter.items())
            if where.topic is None or topic_filter == where.topic
            if where.match_topic is None or topics.matches(where.match_topic, topic_filter)
            for session, qos in held
            if where.qos is None or qos == where.qos
        )
        start = (page - 1) * limit
        items = list(islice(found, start, start + limit + 1))
        count = sum(map(len, subscriptions.values())) if where == SubscriptionFilter() else None
        return Page(items=items[:limit], hasnext=len(items) > limit, count=count)

    def list_routes(self, *, matching: str | None = None, page: int, limit: int) -> Page[Route]:
        live = [(topic_filter, held) for topic_filter, held in self._running.subscriptions.items()
                if held and (matching is None or topics.matches(matching, topic_filter))]
        start = (page - 1) * limit
        chunk = live[start:start + limit]
        return Page(items=[_route(f, held) for f, held in chunk], hasnext=len(live) > start + limit, count=len(live))

    def get_route(self, topic: str) -> Route:
        held = self._running.subscriptions.get(topic)
        if not held:
            raise TopicNotFound()
        return _route(topic, held)

    async def _kick_banned(self, ban: Ban) -> None:
        """Kick every connected client a new ban names, at once."""
        broker = self._broker
        if broker is None or broker.transitions.state != "started":
            return
        banned = [session.client_id for session, _ in list(broker.sessions.values())
                  if session.transitions.state == "connected"
                  and self._access.bans.applies(ban, session.client_id, session.username, session.remote_address)]
        if banned:
            log.info("kicking %d client(s) banned as %s %r", len(banned), ban.kind, ban.who)
            await asyncio.gather(*(self.kick_client(clientid) for clientid in banned), return_exceptions=True)

    def _session(self, clientid: str) -> Session:
        entry = self._running.sessions.get(clientid)
        if entry is None:
            raise ClientNotFound(clientid)
        return entry[0]

    async def publish(self, messages: Sequence[Publish], *, publisher: str) -> list[Published]:
        broker = self._running
        for index, message in enumerate(messages):
            topics.check_publish(message.topic)
            if len(message.payload) > self._max_payload_size:
                where = f"Message at index {index}: payload" if len(messages) > 1 else "Payload"
                raise InvalidRequest(f"{where} is {len(message.payload)} bytes, over the maximum of "
                                     f"{self._max_payload_size} (mqtt.max_payload_size)")
        session = self._publisher(publisher)
        for message in messages:
            if not await broker._topic_filtering(session, topic=message.topic, action=Action.PUBLISH):
                raise NotAuthorized(f"API key {publisher!r} may not publish to topic {message.topic!r}")
        ids = [_new_id() for _ in messages]
        routed: list[Any] = [await broker.route_publish(session, message.topic, message.payload, message.qos,
                                                        retain=message.retain, authorized=True, msgid=msgid)
                             for message, msgid in zip(messages, ids, strict=True)]  # authorized above: none is None
        await asyncio.gather(*(r.stored for r in routed if r.stored is not None))
        try:
            reached = await asyncio.wait_for(asyncio.gather(*(r.reached for r in routed)), _ROUTE_WAIT)
        except TimeoutError:
            raise BrokerUnavailable("The broker did not route the message in time; it may be stopping") from None
        return [Published(id=msgid, subscribers=count) for msgid, count in zip(ids, reached, strict=True)]

    def _publisher(self, name: str) -> Session:
        """The detached session an API key publishes as: client id and username are the key's name."""
        session = self._publishers.get(name)
        if session is None:
            session = self._publishers[name] = Session()
            session.client_id = session.username = name
            session.attributes[_API] = True
        return session

    def reload_retained(self) -> None:
        """Take the retained messages from the store again, as after a backup was restored into it."""
        self._running.load_retained()

    def list_retained(self, topic_filter: str | None, *, page: int, limit: int) -> Page[RetainedMessage]:
        broker = self._running
        retained = broker.retained_messages
        start = (page - 1) * limit
        if topic_filter is None:
            candidates: Any = retained.values()
            count: int | None = len(retained)
        else:
            topics.check_filter(topic_filter)
            candidates = (m for topic, m in retained.items() if topics.matches(topic, topic_filter))
            count = None
        found = list(islice(candidates, start, start + limit + 1))
        return Page(items=[m.record for m in found[:limit]], hasnext=len(found) > limit, count=count)

    def get_retained(self, topic: str) -> RetainedMessage:
        message = self._running.retained_messages.get(topic)
        if message is None:
            raise RetainedNotFound(topic)
        return message.record

    async def delete_retained(self, topic: str) -> None:
        broker = self._running
        if topic not in broker.retained_messages:
            raise RetainedNotFound(topic)
        await broker.forget_retained([topic])

    async def clear_retained(self, topic_filter: str | None) -> int:
        broker = self._running
        if topic_filter is not None:
            topics.check_filter(topic_filter)
        doomed = [t for t in broker.retained_messages if topic_filter is None or topics.matches(t, topic_filter)]
        if doomed:
            await broker.forget_retained(doomed)
        return len(doomed)


def _matches(session: Session, where: ClientFilter) -> bool:
    if where.clientid and session.client_id not in where.clientid:
        return False
    if where.username and session.username not in where.username:
        return False
    if where.like_clientid and where.like_clientid not in (session.client_id or ""):
        return False
    if where.like_username and where.like_username not in (session.username or ""):
        return False
    if where.conn_state and where.conn_state != session.transitions.state:
        return False
    if where.ip_address and where.ip_address != session.remote_address:
        return False
    if where.clean_start is not None and where.clean_start != bool(session.clean_session):
        return False
    if where.proto_ver is not None and where.proto_ver != 4:  # amqtt speaks MQTT 3.1.1 only
        return False
    info = _info(session)
    return _within(info.created_at, where.gte_created_at, where.lte_created_at) and _within(
        info.connected_at, where.gte_connected_at, where.lte_connected_at)


def _within(moment: datetime | None, low: datetime | None, high: datetime | None) -> bool:
    if low is None and high is None:
        return True
    return moment is not None and (low is None or moment >= low) and (high is None or moment <= high)


def _route(topic_filter: str, held: list[tuple[Session, int]]) -> Route:
    return Route(topic=topic_filter, subscribers=[Subscription(s.client_id, topic_filter, q) for s, q in held])


def _client(session: Session, *, expiry: int, mqueue_max: int) -> Client:
    info = _info(session)
    connected = session.transitions.state == "connected"
    return Client(
        clientid=session.client_id,
        username=session.username,
        ip_address=session.remote_address,
        port=session.remote_port,
        listener=info.listener,
        connected=connected,
        clean_start=bool(session.clean_session),
        keepalive=info.keepalive,
        created_at=info.created_at,
        connected_at=info.connected_at,
        disconnected_at=None if connected else info.disconnected_at,
        subscriptions_cnt=len(info.subscriptions),
        inflight_cnt=session.inflight_out_count,
        mqueue_len=session.retained_messages_count,
        mqueue_max=mqueue_max,
        mqueue_dropped=info.mqueue_dropped,
        expiry_interval=expiry,
        recv_msg=info.traffic.recv_msg,
        recv_oct=info.traffic.recv_oct,
        recv_pkt=info.traffic.recv_pkt,
        send_msg=info.traffic.send_msg,
        send_oct=info.traffic.send_oct,
        send_pkt=info.traffic.send_pkt,
    )
