"""Sessions: what mqttgate keeps beside amqtt's Session, take-over, resume, the offline queue."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler
from amqtt.session import ApplicationMessage, Session

from mqttgate.broker.metrics import Traffic

log = logging.getLogger(__name__)

INFO = "mqttgate.info"  # key of our bookkeeping in Session.attributes
API_PUBLISHER = "mqttgate.api"  # marks the detached session an API key publishes as
CLOSE_WAIT = 2.0  # seconds a closing connection may take before its transport is aborted


@dataclass
class Info:
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
    resuming: bool = False  # resumed, its offline queue not yet sent
    incoming: set[int] = field(default_factory=set)  # inbound QoS 2 packet ids awaiting PUBREL


def session_info(session: Session) -> Info:
    info = session.attributes.get(INFO)
    if info is None:
        info = session.attributes[INFO] = Info(created_at=now())
    return info


class SessionRules:
    """Broker mixin: sessions resolved after authentication, take-over closes."""

    max_mqueue_len: int
    cluster: Any

    async def _handle_client_session(
        self, reader: Any, writer: Any, incoming: Session, handler: BrokerProtocolHandler, server: Any,
        listener_name: str,
    ) -> None:
        if not await self._authenticate(incoming, self.listeners_config[listener_name]):
            # Refused: answer and close, leaving every stored session untouched (amqtt
            # would take over a connected client of that id and leave a ghost session).
            handler.attach(incoming, reader, writer)
            await handler.mqtt_connack_authorize(False)
            await close_writer(writer)
            return
        session = await self._resolve_session(incoming)
        info = session_info(session)
        info.listener = listener_name
        info.connected_at, info.disconnected_at = now(), None
        info.connection_closed = asyncio.Event()
        info.keepalive, info.transport = session_info(incoming).keepalive, session_info(incoming).transport
        info.traffic = session_info(incoming).traffic
        info.superuser = session_info(incoming).superuser
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
            info.disconnected_at = now()
            info.connection_closed.set()
            self.trace("DISCONNECT", session)

    async def _resolve_session(self, incoming: Session) -> Session:
        """The session this CONNECT continues (clean_session false) or a fresh one."""
        client_id = incoming.client_id
        if self.cluster is not None:  # one client id, one connection in the whole cluster
            await self.cluster.claim(client_id)
        stored = self._sessions.get(client_id, (None, None))[0]
        if stored is not None and stored.transitions.state == "connected":
            await self.take_over(stored)
        # amqtt resumes whatever session the id had; a clean one ended with its connection
        # [MQTT-3.1.2-6], so a CONNECT with clean_session 0 after it starts afresh
        if incoming.clean_session or stored is None or stored.clean_session:
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
        info = session_info(session)
        handler = self._sessions.get(session.client_id, (None, None))[1]
        if handler is not None:
            await handler.handle_connection_closed()
        try:
            await asyncio.wait_for(info.connection_closed.wait(), CLOSE_WAIT)
        except TimeoutError:
            log.warning("connection of %s did not close in %ss; aborting it", session.client_id, CLOSE_WAIT)
            if info.transport is not None:
                info.transport.abort()
            await asyncio.wait_for(info.connection_closed.wait(), CLOSE_WAIT)

    async def _handle_disconnect(self, session: Session, handler: Any, disconnect_waiter: asyncio.Future[Any]) -> None:
        # amqtt drops what the client published (and was acknowledged) but the message
        # loop had not yet taken when the connection ended: route it first.
        queue = session.delivered_message_queue
        while not queue.empty():
            message = queue.get_nowait()
            if isinstance(message, ApplicationMessage):  # not a SUBSCRIBE the inbox holds (fastpath.py)
                await self._route_received(session, message)
        await super()._handle_disconnect(session, handler, disconnect_waiter)


def now() -> datetime:
    return datetime.now(UTC)


_msgids = itertools.count(1)
_MSGID_PREFIX = os.urandom(8).hex().upper()


def new_msgid() -> str:
    """A message id, EMQX style (32 hex digits), unique across restarts, cheap on the hot path."""
    return f"{_MSGID_PREFIX}{next(_msgids):016X}"


async def close_writer(writer: Any) -> None:
    try:
        await asyncio.wait_for(writer.close(), CLOSE_WAIT)
    except (TimeoutError, OSError):
        pass
