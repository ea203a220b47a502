"""Durable sessions: persistent sessions kept in the session store, in-flight messages resent, QoS 2 once.

amqtt keeps sessions in memory only, drops `inflight_out` when a connection closes (and a
message whose PUBACK takes over 5 s), sends PUBACK/PUBREC before the message is routed, and
delivers an inbound QoS 2 message twice when a publisher resends it after PUBREC. Here:

- the outgoing flow is state, not a task waiting for acknowledgements: a QoS 1/2 message
  stays in `inflight_out` until PUBACK/PUBCOMP, and a reconnect with clean_session 0 resends
  it with DUP and its packet id (PUBREL if PUBREC came) before the queue [MQTT-4.4.0-1];
- an inbound QoS 2 message is routed when its PUBLISH arrives and its packet id is kept until
  PUBREL: a resent PUBLISH with that id is acknowledged, not routed again [MQTT-4.3.3-2];
  every PUBREL gets a PUBCOMP, known or not;
- with a session store, all of a persistent session's state is recorded as it changes, and
  with `durability: sync` PUBACK/PUBREC (and PUBREL/PUBCOMP) wait until what they promise
  is on disk; `async` acknowledges at once and applies back-pressure only when the writer
  lags more than `ASYNC_MAX_LAG`.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import math
from typing import Any, Literal

from amqtt.mqtt.puback import PubackPacket
from amqtt.mqtt.pubcomp import PubcompPacket
from amqtt.mqtt.publish import PublishPacket
from amqtt.mqtt.pubrec import PubrecPacket
from amqtt.mqtt.pubrel import PubrelPacket
from amqtt.session import IncomingApplicationMessage, Session

from mqttgate.broker.amqtt.fastpath import light_session
from mqttgate.broker.amqtt.protocol import GateHandler
from mqttgate.broker.amqtt.sessions import new_msgid, now, session_info
from mqttgate.broker.sessions_store import SessionMessage, SessionStore, StoredSession

log = logging.getLogger(__name__)

Durability = Literal["sync", "async", "memory"]
_QOS0_PACKET = "mqttgate.qos0"  # key of a broadcast's QoS 0 PUBLISH (packet, bytes), made for its first copy
ASYNC_MAX_LAG = 1.0  # seconds: past it, `async` acknowledgements wait for the disk too

def _persistent(session: Session) -> bool:
    return session.clean_session is False


class Incoming(IncomingApplicationMessage):
    """A received PUBLISH; `ready` is answered with its `Routed` once the broker has routed it."""

    __slots__ = ("ready",)


class DurableHandler(GateHandler):
    """The connection's protocol handler with the flows above. `broker` is set before it starts."""

    broker: Any = None

    # -- outgoing ---------------------------------------------------------------------------

    def mqtt_publish(self, topic: str, data: bytes | bytearray, qos: int | None, retain: bool,
                     ack_timeout: int | None = None, *, broadcast: dict[str, Any] | None = None,
                     queued: SessionMessage | None = None, now: bool = False) -> Any:
        """Send a PUBLISH; a plain function returning the awaitable of the send.

        The packet id is taken, the message put in flight and its row recorded right away,
        in the caller's turn, so that the routing loop's writes (and their group commit)
        include it and messages keep their order. With `now`, the PUBLISH is written at once
        where that keeps its order (FastHandler.can_write_now), and None returned: amqtt runs a
        task for each copy of a message, the routing loop's main cost in a fan-out.
        """
        session = self.session
        if not qos:
            if now and broadcast is not None and not retain and self.can_write_now():
                # every QoS 0 copy of a message is the same packet: encoded once
                shared = broadcast.get(_QOS0_PACKET)
                if shared is None:
                    packet = PublishPacket.build(topic, bytes(data), None, False, 0, False)
                    shared = broadcast[_QOS0_PACKET] = (packet, packet.to_bytes())
                self.write_now(*shared)
                return None
            return self._send_packet(PublishPacket.build(topic, bytes(data), None, False, 0, retain))
        message = queued if queued is not None else self.broker.new_message(topic, data, qos, retain, broadcast)
        info = session_info(session)
        if info.resuming and queued is None:
            # the queue of a session resuming is not sent yet: this one goes after it
            self.broker.enqueue(session, message)
            return _nothing()
        packet_id = session.next_packet_id
        message.packet_id = packet_id
        session.inflight_out[packet_id] = message
        store = self.broker.session_store
        wait = None
        if store is not None and _persistent(session):
            if queued is not None:
                store.sent(message.id, packet_id)
            else:
                store.put_message(session.client_id, message)
            if qos == 2 and self.broker.durability == "sync":
                # sent only once stored: a resend after a crash must find the same packet id
                wait = store.pending()
        if now and wait is None and self.can_write_now():
            self.write_now(PublishPacket.build(message.topic, message.payload, packet_id, False, qos, message.retain))
            return None
        return self._send_message(message, wait, dup=False)

    async def _send_message(self, message: SessionMessage, wait: asyncio.Future[None] | None, *, dup: bool) -> None:
        if wait is not None:
            await wait
        await self._send_packet(PublishPacket.build(message.topic, message.payload, message.packet_id, dup,
                                                    message.qos, message.retain))

    async def _retry_deliveries(self) -> None:
        # [MQTT-4.4.0-1] on a resumed session, what was in flight goes again with its packet id
        for packet_id, message in list(self.session.inflight_out.items()):
            if message.pubrel:
                await self._send_packet(PubrelPacket.build(packet_id))
            else:
                await self._send_message(message, None, dup=True)

    async def handle_puback(self, puback: PubackPacket) -> None:
        packet_id = puback.variable_header.packet_id
        message = self.session.inflight_out.get(packet_id)
        if message is None or message.qos != 1:
            self.logger.debug("PUBACK for unknown packet id %s", packet_id)
            return
        del self.session.inflight_out[packet_id]
        self._forget(message)

    async def handle_pubrec(self, pubrec: PubrecPacket) -> None:
        packet_id = pubrec.packet_id
        message = self.session.inflight_out.get(packet_id)
        if message is not None and message.qos == 2 and not message.pubrel:
            message.pubrel = True
            store = self.broker.session_store
            if store is not None and _persistent(self.session):
                store.released(message.id)
                written = store.pending()
                if self.broker.durability == "sync" and written is not None:
                    # once PUBREL is out the client may forget the id: a resent PUBLISH would be new to it
                    await written
        await self._send_packet(PubrelPacket.build(packet_id))

    async def handle_pubcomp(self, pubcomp: PubcompPacket) -> None:
        packet_id = pubcomp.packet_id
        message = self.session.inflight_out.get(packet_id)
        if message is None or message.qos != 2:
            self.logger.debug("PUBCOMP for unknown packet id %s", packet_id)
            return
        del self.session.inflight_out[packet_id]
        self._forget(message)

    def _forget(self, message: SessionMessage) -> None:
        store = self.broker.session_store
        if store is not None and _persistent(self.session):
            store.delete_message(message.id)

    # -- incoming ---------------------------------------------------------------------------

    async def handle_publish(self, publish_packet: PublishPacket) -> None:
        header = publish_packet.variable_header
        packet_id = header.packet_id if header else None
        qos = publish_packet.qos
        if publish_packet.topic_name is None or publish_packet.data is None:
            return
        message = Incoming(packet_id, publish_packet.topic_name, qos, publish_packet.data, publish_packet.retain_flag)
        message.publish_packet = publish_packet
        message.ready = None
        if not qos:
            await self._handle_qos0_message_flow(message)
            return
        session = self.session
        broker = self.broker
        if qos == 2:
            info = session_info(session)
            if packet_id in info.incoming:
                # [MQTT-4.3.3-2] the same message again: acknowledged, never routed twice
                if broker.durability == "sync" and broker.session_store is not None:
                    settled = broker.session_store.settled()
                    if settled is not None:
                        await settled
                await self._send_packet(PubrecPacket.build(packet_id))
                return
            info.incoming.add(packet_id)
            if broker.session_store is not None and _persistent(session):
                broker.session_store.received(session.client_id, packet_id)
        if broker.durability == "sync":
            message.ready = self._loop.create_future()
        await session.delivered_message_queue.put(message)
        await self._acknowledgeable(message)
        await self._send_packet(PubackPacket.build(packet_id) if qos == 1 else PubrecPacket.build(packet_id))

    async def _acknowledgeable(self, message: Incoming) -> None:
        """Wait until the message may be acknowledged: stored wherever it went (sync), or
        the writer not lagging (async)."""
        if message.ready is not None:
            routed = await message.ready
            if routed is not None:
                await routed.reached
                if routed.stored is not None:
                    await routed.stored
            return
        store = self.broker.session_store
        if store is not None and store.lag() > ASYNC_MAX_LAG:
            settled = store.settled()
            if settled is not None:
                await settled

    async def handle_pubrel(self, pubrel: PubrelPacket) -> None:
        packet_id = pubrel.packet_id
        session = self.session
        info = session_info(session)
        if packet_id in info.incoming:
            info.incoming.discard(packet_id)
            store = self.broker.session_store
            if store is not None and _persistent(session):
                store.release_received(session.client_id, packet_id)
                written = store.pending()
                if self.broker.durability == "sync" and written is not None:
                    # after PUBCOMP the client reuses the id: a stale one would swallow its next message
                    await written
        # [MQTT-4.3.3-1] PUBCOMP answers every PUBREL, a repeated one included
        await self._send_packet(PubcompPacket.build(packet_id))


async def _nothing() -> None:
    return None


class PersistenceRules:
    """Broker mixin: persistent sessions recorded in the session store and restored at start,
    the offline queue bounded, the publisher acknowledged once what it sent is stored."""

    session_store: SessionStore | None
    durability: Durability
    max_mqueue_len: int

    _restoring = False
    _closing = False
    _message_ids = itertools.count(1)

    def new_message(self, topic: str, data: bytes | bytearray, qos: int, retain: bool,
                    broadcast: dict[str, Any] | None) -> SessionMessage:
        """A message for a session, with where it came from (the broadcast's publisher)."""
        source = broadcast.get("session") if broadcast is not None else None
        msgid = broadcast.get("msgid") if broadcast is not None else None
        return SessionMessage(next(self._message_ids), topic, data, qos, retain, msgid or new_msgid(), now(),
                              source.client_id if source is not None else None,
                              source.username if source is not None else None)

    async def _initialize_client_session(self, reader: Any, writer: Any, remote_address: str,
                                         remote_port: int) -> tuple[Any, Session]:
        handler, session = await super()._initialize_client_session(reader, writer, remote_address, remote_port)
        handler.broker = self
        return handler, session

    # -- restore ----------------------------------------------------------------------------

    async def _start_listeners(self) -> None:
        # Broker.start() has just emptied the sessions: bring back the stored ones before
        # any client can connect
        if self.session_store is not None:
            await self.restore_sessions(self.session_store.load())
        await super()._start_listeners()

    async def restore_sessions(self, stored: list[StoredSession]) -> None:
        """Take these stored sessions as offline persistent sessions (existing ones of the same ids go)."""
        store = self.session_store
        restored_at = now()
        last = max((m.id for record in stored for m in record.messages), default=0)
        first = next(self._message_ids)
        self._message_ids = itertools.count(max(first, last + 1))
        await self.forget_sessions([record.clientid for record in stored if record.clientid in self._sessions])
        for record in stored:
            session = light_session(Session())  # restored sessions are the ones that pile up: 15 kB less each
            session.client_id, session.username, session.clean_session = record.clientid, record.username, False
            session.transitions.disconnect()
            disconnected_at = record.disconnected_at or restored_at
            session.last_disconnect_time = math.floor(disconnected_at.timestamp())
            info = session_info(session)
            info.created_at, info.disconnected_at, info.superuser = record.created_at, disconnected_at, record.superuser
            info.incoming = set(record.incoming)
            for message in record.messages:
                if message.packet_id is None:
                    session.retained_messages.put_nowait(message)
                else:
                    session.inflight_out[message.packet_id] = message
                    session._packet_id = max(session._packet_id, message.packet_id)
            self._sessions[record.clientid] = (session, None)
            self._restoring = True
            try:
                for topic, qos in record.subscriptions.items():
                    await self.add_subscription((topic, qos), session)
            finally:
                self._restoring = False
            if record.disconnected_at is None and store is not None:
                store.disconnected(record.clientid, disconnected_at)

    async def forget_sessions(self, clientids: list[str]) -> None:
        """Drop these sessions from memory only (the store already holds what replaces them)."""
        self._closing = True
        try:
            for clientid in clientids:
                await self._cleanup_session(clientid)
        finally:
            self._closing = False

    def persist_session(self, session: Session) -> None:
        """Write a persistent session's whole state again, as it is in memory."""
        store, info = self.session_store, session_info(session)
        if store is None or not _persistent(session):
            return
        store.discard(session.client_id)
        store.put_session(session.client_id, session.username, info.superuser, info.created_at)
        for topic, qos in info.subscriptions.items():
            store.subscribe(session.client_id, topic, qos)
        for message in [*inflight_messages(session), *queued_messages(session)]:
            store.put_message(session.client_id, message)
        for packet_id in info.incoming:
            store.received(session.client_id, packet_id)

    # -- the session's life -----------------------------------------------------------------

    async def _resolve_session(self, incoming: Session) -> Session:
        session = await super()._resolve_session(incoming)
        if session.parent:
            session_info(session).resuming = True
        if self.session_store is not None and _persistent(session):
            info = session_info(session)
            self.session_store.put_session(session.client_id, session.username,
                                           session_info(incoming).superuser, info.created_at)
        return session

    async def _publish_session_retained_messages(self, session: Session) -> None:
        # amqtt sends the queue with the retain flag set; and messages routed to the session
        # meanwhile (`resuming`) are queued behind it, so that order is kept
        handler = self._get_handler(session)
        sends = []
        if handler is not None and session.retained_messages_count:  # (not made for a session that never queued)
            queue = session.retained_messages
            while not queue.empty():
                message = queue.get_nowait()
                sends.append(handler.send_later(
                    handler.mqtt_publish(message.topic, message.payload, message.qos, False, queued=message)))
        session_info(session).resuming = False
        if sends:
            await asyncio.wait(sends)

    async def _handle_disconnect(self, session: Session, handler: Any, disconnect_waiter: asyncio.Future[Any]) -> None:
        await super()._handle_disconnect(session, handler, disconnect_waiter)
        if self.session_store is not None and _persistent(session):
            self.session_store.disconnected(session.client_id, now())

    async def _delete_session(self, client_id: str) -> None:
        self._discard(client_id)
        await super()._delete_session(client_id)

    async def _cleanup_session(self, client_id: str) -> None:
        if not self._closing:
            self._discard(client_id)
        await super()._cleanup_session(client_id)

    def _discard(self, client_id: str) -> None:
        session = self._sessions.get(client_id, (None, None))[0]
        if session is not None and self.session_store is not None and _persistent(session):
            self.session_store.discard(client_id)

    async def shutdown(self) -> None:
        # amqtt cleans every session up on shutdown: persistent ones stay on disk
        self._closing = True
        try:
            await super().shutdown()
        finally:
            self._closing = False

    # -- subscriptions ----------------------------------------------------------------------

    async def add_subscription(self, subscription: tuple[str, int], session: Session) -> int:
        granted = await super().add_subscription(subscription, session)
        store = self.session_store
        if granted != 0x80 and store is not None and _persistent(session) and not self._restoring:
            store.subscribe(session.client_id, subscription[0], granted)
            if self.durability == "sync":
                await store.pending()  # SUBACK (or the API's answer) once it is stored
        return granted

    def _del_subscription(self, a_filter: str, session: Session) -> int:
        deleted = super()._del_subscription(a_filter, session)
        if deleted and self.session_store is not None and _persistent(session) and not self._closing:
            self.session_store.unsubscribe(session.client_id, a_filter)
        return deleted

    # -- messages ---------------------------------------------------------------------------

    async def _retain_broadcast_message(self, broadcast: dict[str, Any], qos: int, target: Session) -> None:
        # amqtt's offline queue is unbounded and keeps no id or origin: bounded here, stored
        self.enqueue(target, self.new_message(broadcast["topic"], broadcast["data"], qos, False, broadcast))

    def enqueue(self, target: Session, message: SessionMessage) -> None:
        """Queue a message for an offline (or resuming) session; past max_mqueue_len the oldest goes."""
        queue = target.retained_messages
        store = self.session_store if _persistent(target) else None
        while queue.qsize() >= self.max_mqueue_len:
            dropped = queue.get_nowait()
            session_info(target).mqueue_dropped += 1
            if store is not None:
                store.delete_message(dropped.id)
        if store is not None:
            store.put_message(target.client_id, message)
        queue.put_nowait(message)

    def _received(self, message: Any, routed: Any) -> None:
        ready = getattr(message, "ready", None)
        if ready is not None and not ready.done():
            ready.set_result(routed)

    async def _deliver(self, broadcast: dict[str, Any], running_tasks: Any) -> int:
        reached = await super()._deliver(broadcast, running_tasks)
        store = self.session_store
        if store is not None and "reached" in broadcast:
            if self.durability == "sync":
                written = store.pending()
            else:
                written = store.settled() if store.lag() > ASYNC_MAX_LAG else None
            if written is not None:
                # the publisher's answer waits until the rows of this turn are on disk
                waiter = broadcast.pop("reached")
                written.add_done_callback(functools.partial(_answer, waiter, reached))
        return reached


def _answer(waiter: asyncio.Future[int], reached: int, written: asyncio.Future[None]) -> None:
    if waiter.done():
        return
    if written.cancelled() or written.exception() is None:
        waiter.set_result(reached)
    else:
        waiter.set_exception(written.exception())


def queued_messages(session: Session) -> list[SessionMessage]:
    """The session's offline queue, oldest first."""
    return list(session.retained_messages._queue)  # asyncio.Queue keeps its items in a deque


def inflight_messages(session: Session) -> list[SessionMessage]:
    """The session's in-flight window, in the order sent."""
    return list(session.inflight_out.values())
