"""`BrokerAdapter` on the embedded amqtt 0.12.1 broker: the port's domain verbs over `GateBroker`."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from amqtt.contexts import Action, BrokerConfig, ListenerConfig, ListenerType
from amqtt.session import Session

from mqttgate.broker import topics
from mqttgate.broker.access import Access
from mqttgate.broker.adapter import (
    BrokerStatus,
    Chunk,
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
from mqttgate.broker.amqtt.counting import CountingBroker
from mqttgate.broker.amqtt.gate import GateBroker
from mqttgate.broker.amqtt.persistence import Durability, inflight_messages, queued_messages
from mqttgate.broker.amqtt.sessions import API_PUBLISHER, new_msgid, now, session_info
from mqttgate.broker.banned import Ban
from mqttgate.broker.cluster.link import ClusterLink
from mqttgate.broker.errors import (
    BrokerUnavailable,
    ClientNotFound,
    InvalidRequest,
    NotAuthorized,
    RetainedNotFound,
    TopicNotFound,
)
from mqttgate.broker.retained import RetainedStore
from mqttgate.broker.sessions_store import SessionMessage, SessionStore
from mqttgate.broker.traces import Tracer

log = logging.getLogger(__name__)

_ROUTE_WAIT = 10.0  # seconds an API publish waits for the broadcast loop (only slow while stopping)


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
        max_packet_size: bytes an MQTT packet may have (its remaining length), refused from
            its fixed header before it is read; 0: max_payload_size plus room for the longest topic.
        tracer: the trace recordings, told of every packet event.
        metrics: keep the counters of `metrics()` and the clients' traffic fields; False only to
            measure what counting costs (`bench/counters.py`): they then stay 0.
        access: bans, users and ACL rules; None accepts every CONNECT (by `allow_anonymous`)
            and every topic.
        sessions: where persistent sessions are kept across restarts; None keeps them in memory only.
        durability: `sync` acknowledges a message once stored, `async` at once (stored within
            `persistence.ASYNC_MAX_LAG`); ignored without `sessions`.
        cluster: the other nodes, if this one is part of a cluster.
        node: this node's name (a listing filtered on another node's name is empty).
        reuse_port: bind the MQTT listeners with SO_REUSEPORT, shared with the other
            processes of this machine (the workers of `gunicorn -w N`, each a cluster node).
    """

    def __init__(self, listeners: dict[str, Any], *, retained: RetainedStore, allow_anonymous: bool = True,
                 connect_timeout: float = 10.0, session_expiry_interval: int = 7200, max_mqueue_len: int = 1000,
                 max_payload_size: int = 1024 * 1024, tracer: Tracer | None = None, metrics: bool = True,
                 access: Access | None = None, max_packet_size: int = 0,
                 sessions: SessionStore | None = None, durability: Durability = "sync",
                 cluster: ClusterLink | None = None, node: str | None = None, reuse_port: bool = False) -> None:
        self._listener_types = {name: listener.type for name, listener in listeners.items()}
        self._max_connections = {name: listener.max_connections for name, listener in listeners.items()}
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
        self._config = config
        # what each start() makes its broker of
        self._new_broker = functools.partial(
            CountingBroker if metrics else GateBroker, config, allow_anonymous=allow_anonymous,
            connect_timeout=connect_timeout, max_mqueue_len=max_mqueue_len, max_payload_size=max_payload_size,
            retained_store=retained, tracer=tracer, access=access, max_packet_size=max_packet_size,
            session_store=sessions, durability=durability, cluster=cluster, reuse_port=reuse_port)
        self._expiry = session_expiry_interval
        self._max_mqueue_len = max_mqueue_len
        self._max_payload_size = max_payload_size
        self._access = access
        self._sessions_store = sessions
        self._node = node
        if access is not None:
            access.bans.on_added.append(self._kick_banned)
        self._background: set[asyncio.Future[Any]] = set()
        self._broker: GateBroker | None = None
        self._started_at: datetime | None = None
        self._publishers: dict[str, Session] = {}

    async def start(self) -> None:
        self._broker = self._new_broker()
        await self._broker.start()
        self._started_at = now()

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
    def _running(self) -> GateBroker:
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

    def reload_tls(self) -> list[str]:
        """Load the TLS listeners' certificate and key files again; the listeners reloaded."""
        files = {name: (listener.certfile, listener.keyfile) for name, listener in self._config.listeners.items()
                 if listener.get("ssl", False)}
        return self._running.reload_tls(files)

    def list_clients(self, where: ClientFilter, *, page: int, limit: int) -> Page[Client]:
        rows = self.list_client_rows(where, page=page, limit=limit)
        return Page(items=[Client(**row) for row in rows.items], hasnext=rows.hasnext, count=rows.count)

    def list_client_rows(self, where: ClientFilter, *, page: int, limit: int) -> Page[dict[str, Any]]:
        sessions = self._running.sessions
        start = (page - 1) * limit
        if where.node is not None:
            if where.node != self._node:
                return Page(items=[], hasnext=False, count=0)
            where = dataclasses.replace(where, node=None)
        if where.is_empty:
            # islice over the dict's values skips earlier pages in C: a page costs its own clients
            found = [entry[0] for entry in islice(sessions.values(), start, start + limit + 1)]
            count: int | None = len(sessions)
        else:
            matching = (entry[0] for entry in sessions.values() if _matches(entry[0], where))
            found = list(islice(matching, start, start + limit + 1))
            count = None
        expiry, mqueue_max = self._expiry, self._max_mqueue_len
        items = [_client_row(s, expiry=0 if s.clean_session else expiry, mqueue_max=mqueue_max) for s in found[:limit]]
        return Page(items=items, hasnext=len(found) > limit, count=count)

    def get_client(self, clientid: str) -> Client:
        return self._client(self._session(clientid))

    def _client(self, session: Session) -> Client:
        return Client(**_client_row(session, expiry=0 if session.clean_session else self._expiry,
                                    mqueue_max=self._max_mqueue_len))

    async def kick_client(self, clientid: str) -> None:
        broker = self._running
        session = self._session(clientid)
        if session.transitions.state == "connected":
            await broker.close_connection(session)
        if broker.sessions.get(clientid, (None,))[0] is session:
            await broker._cleanup_session(clientid)

    async def release_client(self, clientid: str) -> bool:
        """Another node takes this client id over: close its connection (without its will) and drop its
        session here; whether this node held it."""
        broker = self._running
        session = broker.sessions.get(clientid, (None,))[0]
        if session is None:
            return False
        if session.transitions.state == "connected":
            await broker.take_over(session)
        if broker.sessions.get(clientid, (None,))[0] is session:
            await broker._cleanup_session(clientid)
        return True

    def apply_retained(self, topic: str, message: RetainedMessage | None) -> None:
        """Another node changed `topic`'s retained message (None: deleted); the store has it already."""
        broker = self._broker
        if broker is not None and broker.transitions.state == "started":
            broker.apply_retained(topic, message)

    def deliver_remote(self, topic: str, data: bytes, qos: int, msgid: str | None = None) -> None:
        """Route a message another node published to this node's subscribers."""
        broker = self._broker
        if broker is not None and broker.transitions.state == "started":
            broker.deliver_remote(topic, data, qos, msgid)

    async def hold_session(self, clientid: str) -> dict[str, Any] | None:
        """Another node takes this client's persistent session over: step 1 (see broker/amqtt/handoff.py)."""
        return await self._running.hold_session(clientid)

    async def hand_off_session(self, clientid: str) -> dict[str, Any] | None:
        """Step 2: the session's state, dropped here."""
        return await self._running.hand_off_session(clientid)

    async def kick_clients(self, clientids: Any) -> None:
        present = [c for c in dict.fromkeys(clientids) if c in self._running.sessions]
        await asyncio.gather(*(self.kick_client(c) for c in present))

    def client_subscriptions(self, clientid: str) -> list[Subscription]:
        session = self._session(clientid)
        return [Subscription(clientid, f, qos) for f, qos in session_info(session).subscriptions.items()]

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
            if broker._del_subscription(topic_filter, session):
                broker.trace("UNSUBSCRIBE", session, topic_filter)

    def list_subscriptions(self, where: SubscriptionFilter, *, page: int, limit: int) -> Page[Subscription]:
        subscriptions = self._running.subscriptions
        if where.node is not None:
            if where.node != self._node:
                return Page(items=[], hasnext=False, count=0)
            where = dataclasses.replace(where, node=None)
        if where.clientid is not None:
            entry = self._running.sessions.get(where.clientid)
            by_filter = {f: [(entry[0], q)] for f, q in session_info(entry[0]).subscriptions.items()} if entry else {}
        elif where.topic is not None:
            by_filter = {where.topic: subscriptions.get(where.topic, [])}
        else:
            by_filter = subscriptions
        found = (
            Subscription(session.client_id, topic_filter, qos)
            for topic_filter, held in by_filter.items()  # read through before anything can change it
            if where.topic is None or topic_filter == where.topic
            if where.match_topic is None or topics.matches(where.match_topic, topic_filter)
            for session, qos in held
            if where.qos is None or qos == where.qos
        )
        start = (page - 1) * limit
        items = list(islice(found, start, start + limit + 1))
        # the broker's count kept as subscriptions come and go: summing the filters' lists cost a
        # page of 10,000 more than the page itself
        count = self._running.metrics.subscriptions if where == _EVERY_SUBSCRIPTION else None
        return Page(items=items[:limit], hasnext=len(items) > limit, count=count)

    def list_routes(self, *, matching: str | None = None, node: str | None = None, page: int,
                    limit: int) -> Page[Route]:
        if node is not None and node != self._node:
            return Page(items=[], hasnext=False, count=0)
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
        ids = [new_msgid() for _ in messages]
        routed: list[Any] = [await broker.route_publish(session, message.topic, message.payload, message.qos,
                                                        retain=message.retain, authorized=True, msgid=msgid)
                             for message, msgid in zip(messages, ids, strict=True)]  # authorized above: none is None
        await asyncio.gather(*(r.stored for r in routed if r.stored is not None))
        try:
            reached = await asyncio.wait_for(asyncio.gather(*(r.reached for r in routed)), _ROUTE_WAIT)
        except TimeoutError:
            raise BrokerUnavailable("The broker did not route the message in time; it may be stopping") from None
        return [Published(id=msgid, subscribers=count) for msgid, count in zip(ids, reached, strict=True)]

    def mqueue_messages(self, clientid: str, *, after: int | None, limit: int) -> Chunk[SessionMessage]:
        return _chunk(queued_messages(self._session(clientid)), after, limit)

    def inflight_messages(self, clientid: str, *, after: int | None, limit: int) -> Chunk[SessionMessage]:
        return _chunk(inflight_messages(self._session(clientid)), after, limit)

    def sessions_count(self, since: datetime | None = None) -> int:
        count = 0
        for session, _ in self._running.sessions.values():
            if since is None or session.transitions.state == "connected":
                count += 1
            else:
                disconnected_at = session_info(session).disconnected_at
                count += disconnected_at is None or disconnected_at >= since
        return count

    async def reload_sessions(self) -> None:
        """Take the persistent sessions from the store again, as after a backup was restored into it.

        Offline sessions are replaced by the stored ones; a connected client keeps its live
        session, written again over what the backup held of it.
        """
        broker = self._running
        if self._sessions_store is None:
            return
        stored = self._sessions_store.load()
        offline = [clientid for clientid, (session, _) in broker.sessions.items()
                   if session.transitions.state != "connected" and not session.clean_session]
        await broker.forget_sessions(offline)
        live = {clientid: session for clientid, (session, _) in broker.sessions.items()
                if session.transitions.state == "connected"}
        await broker.restore_sessions([record for record in stored if record.clientid not in live])
        for session in live.values():
            broker.persist_session(session)

    def _publisher(self, name: str) -> Session:
        """The detached session an API key publishes as: client id and username are the key's name."""
        session = self._publishers.get(name)
        if session is None:
            session = self._publishers[name] = Session()
            session.client_id = session.username = name
            session.attributes[API_PUBLISHER] = True
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


def _chunk(messages: list[SessionMessage], after: int | None, limit: int) -> Chunk[SessionMessage]:
    if after is not None:
        messages = [m for m in messages if m.id > after]
    return Chunk(items=messages[:limit], hasnext=len(messages) > limit)


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
    info = session_info(session)
    return _within(info.created_at, where.gte_created_at, where.lte_created_at) and _within(
        info.connected_at, where.gte_connected_at, where.lte_connected_at)


def _within(moment: datetime | None, low: datetime | None, high: datetime | None) -> bool:
    if low is None and high is None:
        return True
    return moment is not None and (low is None or moment >= low) and (high is None or moment <= high)


def _route(topic_filter: str, held: list[tuple[Session, int]]) -> Route:
    return Route(topic=topic_filter, subscribers=[Subscription(s.client_id, topic_filter, q) for s, q in held])


_EVERY_SUBSCRIPTION = SubscriptionFilter()


def _client_row(session: Session, *, expiry: int, mqueue_max: int) -> dict[str, Any]:
    """A session as `Client`'s fields, in their order."""
    info = session_info(session)
    connected = session.transitions.state == "connected"
    traffic = info.traffic
    return {
        "clientid": session.client_id,
        "username": session.username,
        "ip_address": session.remote_address,
        "port": session.remote_port,
        "listener": info.listener,
        "connected": connected,
        "clean_start": bool(session.clean_session),
        "keepalive": info.keepalive,
        "created_at": info.created_at,
        "connected_at": info.connected_at,
        "disconnected_at": None if connected else info.disconnected_at,
        "subscriptions_cnt": len(info.subscriptions),
        "inflight_cnt": session.inflight_out_count,
        "mqueue_len": session.retained_messages_count,
        "mqueue_max": mqueue_max,
        "mqueue_dropped": info.mqueue_dropped,
        "expiry_interval": expiry,
        "proto_name": "MQTT",
        "proto_ver": 4,
        "recv_msg": traffic.recv_msg,
        "recv_oct": traffic.recv_oct,
        "recv_pkt": traffic.recv_pkt,
        "send_msg": traffic.send_msg,
        "send_oct": traffic.send_oct,
        "send_pkt": traffic.send_pkt,
        "node": None,  # this node's: a cluster names the others'
    }
