"""Fast paths: amqtt's per-packet costs, paid once per loop turn instead of once per packet.

Measured with py-spy on `bench/mqtt_throughput.py` (see README, "Fast paths"): amqtt writes
every packet to its socket at once (a send() per PUBLISH: a third of the broker's time at
QoS 0), and wakes its per-client message loop through `asyncio.wait` over four futures, plus
a new task, for every message a client publishes. The behaviour is amqtt's; only the cost
changes. tests/test_fastpath.py pins each.

A connection's own costs too (bench/connect_rss.py, py-spy and tracemalloc): amqtt's Session
builds a transitions.Machine (a third of the CPU of a CONNECT), and each connection holds four
asyncio.Queues (3 kB each, their deques) and four waiter tasks for its whole life.
"""

from __future__ import annotations

import asyncio
from typing import Any

from amqtt.adapters import StreamReaderAdapter, StreamWriterAdapter
from amqtt.errors import MQTTError
from amqtt.events import MQTTEvents
from amqtt.mqtt.connack import BAD_USERNAME_PASSWORD, IDENTIFIER_REJECTED, UNACCEPTABLE_PROTOCOL_VERSION, ConnackPacket
from amqtt.mqtt.connect import ConnectPacket
from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler, Subscription, UnSubscription
from amqtt.mqtt.protocol.handler import ProtocolHandler
from amqtt.session import ApplicationMessage, Session
from amqtt.utils import format_client_message
from transitions import MachineError

# bytes a connection may hold back before they are written within the same turn: past it,
# the transport's own flow control (pause/resume, drain) takes over as with amqtt's writer
FLUSH_AT = 64 * 1024


class CoalescingWriter(StreamWriterAdapter):
    """amqtt's TCP writer, writing what one loop turn produced for a connection in one send().

    Packets are written in the order given, at the end of the turn that wrote them (a
    callback scheduled by the first), or at once past `FLUSH_AT` bytes, before a drain that
    must wait, and before close.
    """

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        super().__init__(writer)
        self._pending: list[bytes] = []
        self._size = 0
        self._loop = asyncio.get_running_loop()

    def write(self, data: bytes) -> None:
        if self.is_closed:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)
        self._size += len(data)
        if self._size >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        """Hand what is held back to the transport."""
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending, self._size = [], 0
        if not self._writer.transport.is_closing():
            self._writer.write(data)

    def has_room(self) -> bool:
        """Whether a write now would not have to wait for the peer (amqtt's drain would return at once)."""
        transport = self._writer.transport
        return (not self.is_closed and not transport.is_closing()
                and transport.get_write_buffer_size() + self._size < transport.get_write_buffer_limits()[1])

    async def drain(self) -> None:
        if self.is_closed:
            return
        transport = self._writer.transport
        if transport.get_write_buffer_size() + self._size >= transport.get_write_buffer_limits()[1]:
            self.flush()
        await self._writer.drain()

    async def close(self) -> None:
        self.flush()
        await super().close()


class SessionState:
    """amqtt's session state machine, without `transitions.Machine`'s 15 kB a session (two thirds of a Session).

    The same states (new, connected, disconnected), triggers (`connect`, `disconnect`), `is_*`
    tests, entry callbacks (`Session._on_enter_connected` and `_on_enter_disconnected`, run
    on every transition into the state, reflexive ones too), and MachineError for a trigger
    its state does not allow.
    """

    __slots__ = ("_session", "state")

    def __init__(self, session: Session, state: str = "new") -> None:
        self._session = session
        self.state = state

    def connect(self) -> bool:
        if self.state not in ("new", "disconnected"):
            raise MachineError(f"\"Can't trigger event connect from state {self.state}!\"")
        self.state = "connected"
        self._session._on_enter_connected()
        return True

    def disconnect(self) -> bool:
        self.state = "disconnected"  # from every state
        self._session._on_enter_disconnected()
        return True

    def is_new(self) -> bool:
        return self.state == "new"

    def is_connected(self) -> bool:
        return self.state == "connected"

    def is_disconnected(self) -> bool:
        return self.state == "disconnected"


class LightSession(Session):
    """amqtt's Session with a `SessionState` from the start, and its offline queue made on first use.

    amqtt's `Session._init_states` builds a transitions.Machine (five transitions, two
    callbacks): a third of the CPU of a CONNECT, and 15 kB. A connected client with a clean
    session never queues offline, so its `retained_messages` queue (3 kB) waits until used.
    """

    def __init__(self) -> None:
        super().__init__()
        self._offline: asyncio.Queue[Any] | None = None  # the one Session.__init__ made goes

    def _init_states(self) -> None:
        self.transitions = SessionState(self)

    @property  # type: ignore[override]
    def retained_messages(self) -> asyncio.Queue[Any]:
        if self._offline is None:
            self._offline = asyncio.Queue()
        return self._offline

    @retained_messages.setter
    def retained_messages(self, queue: asyncio.Queue[Any]) -> None:
        self._offline = queue

    @property
    def retained_messages_count(self) -> int:
        return 0 if self._offline is None else self._offline.qsize()


def light_session(session: Session) -> Session:
    """Give `session` a `SessionState` in place of its transitions.Machine, in the same state."""
    if not isinstance(session.transitions, SessionState):
        session.transitions = SessionState(session, session.transitions.state)
    return session


class _NoQueue:
    """Stands for BrokerProtocolHandler's two subscription queues, which stay empty here."""

    __slots__ = ()

    def empty(self) -> bool:
        return True


_NO_QUEUE: Any = _NoQueue()


class _Ready:
    """What amqtt's `_handle_*` steps read their item from (`.result()`), without a Future."""

    __slots__ = ("_item",)

    def __init__(self, item: Any) -> None:
        self._item = item

    def result(self) -> Any:
        return self._item


_PACKET_SENT = MQTTEvents.PACKET_SENT
_fired: set[asyncio.Future[Any]] = set()  # PACKET_SENT events to amqtt's plugins, under way
_DISCONNECTED = object()  # the inbox's last item: the handler's disconnect waiter is done


class FastHandler(BrokerProtocolHandler):
    """amqtt's protocol handler with light sessions, and SUBSCRIBE/UNSUBSCRIBE into the session's inbox.

    (The outgoing QoS 1/2 flows are persistence.DurableHandler's.)
    """

    _sends = 0  # sends run as tasks (send_later) not yet done: a write now would pass them

    def __init__(self, plugins_manager: Any, session: Session | None = None,
                 loop: asyncio.AbstractEventLoop | None = None) -> None:
        # BrokerProtocolHandler.__init__ without its two asyncio.Queues (3 kB each, for the
        # connection's life): SUBSCRIBE and UNSUBSCRIBE go to the session's inbox instead, in
        # the order read with the PUBLISHes (FastPaths._client_message_loop takes them)
        ProtocolHandler.__init__(self, plugins_manager, session, loop)
        self._disconnect_waiter: asyncio.Future[Any] | None = None
        self._pending_subscriptions = self._pending_unsubscriptions = _NO_QUEUE

    def send_later(self, send: Any) -> asyncio.Future[Any]:
        """Run a send as a task, as amqtt runs each; `can_write_now` is False until it is done."""
        task = asyncio.ensure_future(send)
        self._sends += 1
        task.add_done_callback(self._sent)
        return task

    def _sent(self, _: Any) -> None:
        self._sends -= 1

    def can_write_now(self) -> bool:
        """Whether a packet written at once goes out in the order amqtt's task for it would:
        nothing is being written (the write lock) or waits to be (send_later), and the peer reads."""
        writer = self.writer
        return (not self._sends and not self._write_lock.locked() and isinstance(writer, CoalescingWriter)
                and writer.has_room())

    def write_now(self, packet: Any, data: bytes | None = None) -> None:
        """amqtt's _send_packet without its task, write lock and drain (see can_write_now): the
        packet (`data`: its bytes, already encoded) written, the keepalive timer restarted,
        PACKET_SENT fired (metrics count it; amqtt's plugins get it in a task, as from amqtt)."""
        assert self.writer is not None
        self.writer.write(packet.to_bytes() if data is None else data)
        if self._keepalive_task:
            self._keepalive_task.cancel()
            if self.keepalive_timeout is not None:
                self._keepalive_task = self._loop.call_later(self.keepalive_timeout, self.handle_write_timeout)
        plugins = self.plugins_manager
        fired = plugins.fire_event(_PACKET_SENT, packet=packet, session=self.session)
        if _PACKET_SENT in getattr(plugins, "_event_plugin_callbacks", (_PACKET_SENT,)):
            task = asyncio.ensure_future(fired)
            _fired.add(task)
            task.add_done_callback(_fired.discard)
        else:
            fired.close()  # PluginManager.fire_event returns at once without a listener

    async def handle_subscribe(self, subscribe: Any) -> None:
        if subscribe.variable_header is None or subscribe.payload is None:
            raise MQTTError("SUBSCRIBE packet: variable header or payload not initialized.")
        assert self.session is not None
        self.session.delivered_message_queue.put_nowait(
            Subscription(subscribe.variable_header.packet_id, subscribe.payload.topics))

    async def handle_unsubscribe(self, unsubscribe: Any) -> None:
        if unsubscribe.variable_header is None or unsubscribe.payload is None:
            raise MQTTError("UNSUBSCRIBE packet: variable header or payload not initialized.")
        assert self.session is not None
        self.session.delivered_message_queue.put_nowait(
            UnSubscription(unsubscribe.variable_header.packet_id, unsubscribe.payload.topics))

    @classmethod
    async def init_from_connect(cls, reader: Any, writer: Any, plugins_manager: Any,
                                loop: asyncio.AbstractEventLoop | None = None) -> tuple[Any, Session]:
        # amqtt's BrokerProtocolHandler.init_from_connect, the same checks and refusals, with a
        # LightSession: amqtt's Session() builds a transitions.Machine, a third of a CONNECT's CPU
        connect = await ConnectPacket.from_stream(reader)
        await plugins_manager.fire_event(MQTTEvents.PACKET_RECEIVED, packet=connect)
        header, payload = connect.variable_header, connect.payload
        if header is None or payload is None:
            raise MQTTError("CONNECT packet: variable header or payload not initialized.")
        if payload.client_id is None:
            raise MQTTError("[[MQTT-3.1.3-3]] : Client identifier must be present")
        if header.will_flag and (payload.will_topic is None or payload.will_message is None):
            raise MQTTError("Will flag set, but will topic/message not present in payload")
        if header.reserved_flag:
            raise MQTTError("[MQTT-3.1.2-3] CONNECT reserved flag must be set to 0")
        if connect.proto_name != "MQTT":
            raise MQTTError(f'[MQTT-3.1.2-1] Incorrect protocol name: "{connect.proto_name}"')
        remote_address = remote_port = None
        remote_info = writer.get_peer_info()
        if remote_info is not None:
            remote_address, remote_port = remote_info
            peer = format_client_message(address=remote_address, port=remote_port)
            connack = error = None
            if connect.proto_level != 4:  # only MQTT 3.1.1
                error = f"Invalid protocol from {peer}: {connect.proto_level}"
                connack = ConnackPacket.build(0, UNACCEPTABLE_PROTOCOL_VERSION)
            elif not connect.username_flag and connect.password_flag:
                connack = ConnackPacket.build(0, BAD_USERNAME_PASSWORD)  # [MQTT-3.1.2-22]
            elif connect.username_flag and connect.username is None:
                error = f"Invalid username from {peer}"
                connack = ConnackPacket.build(0, BAD_USERNAME_PASSWORD)
            elif connect.password_flag and connect.password is None:
                error = f"Invalid password from {peer}"
                connack = ConnackPacket.build(0, BAD_USERNAME_PASSWORD)
            elif connect.clean_session_flag is False and payload.client_id_is_random:
                error = f"[MQTT-3.1.3-8] [MQTT-3.1.3-9] {peer}: No client Id provided (cleansession=0)"
                connack = ConnackPacket.build(0, IDENTIFIER_REJECTED)
            if connack is not None:
                await plugins_manager.fire_event(MQTTEvents.PACKET_SENT, packet=connack)
                await connack.to_stream(writer)
                await writer.close()
                raise MQTTError(error)
        session = LightSession()
        session.client_id = connect.client_id
        session.clean_session = connect.clean_session_flag
        session.will_flag = connect.will_flag
        session.will_retain = connect.will_retain_flag
        session.will_qos = connect.will_qos
        session.will_topic = connect.will_topic
        session.will_message = connect.will_message
        session.username = connect.username
        session.password = connect.password
        session.remote_address = remote_address
        session.remote_port = remote_port
        session.ssl_object = writer.get_ssl_info()
        session.keep_alive = max(connect.keep_alive, 0)
        return cls(plugins_manager, loop=loop), session


class FastPaths:
    """Broker mixin: coalesced TCP writes; the message and broadcast loops take what is queued in a row."""

    async def stream_connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                               listener_name: str) -> None:
        # amqtt's Broker.stream_connected, with the coalescing writer
        await self._client_connected(listener_name, StreamReaderAdapter(reader), CoalescingWriter(writer))

    async def _client_message_loop(self, client_session: Session, handler: BrokerProtocolHandler) -> None:
        # amqtt's loop waits (asyncio.wait) on four tasks kept for the connection's life and
        # made again per packet: its disconnect, SUBSCRIBE, UNSUBSCRIBE and PUBLISH queues.
        # Here the reader puts all of them in the session's one inbox, in the order read, the
        # disconnect last; each goes to amqtt's step for it (_handle_*), as amqtt's loop does.
        inbox = client_session.delivered_message_queue
        disconnected = handler._disconnect_waiter
        if disconnected is None:  # already disconnected: amqtt's wait_disconnect() answers None
            disconnected = asyncio.get_running_loop().create_future()
            disconnected.set_result(None)

        def on_disconnect(_: Any) -> None:
            inbox.put_nowait(_DISCONNECTED)

        disconnected.add_done_callback(on_disconnect)
        try:
            while True:
                item = await inbox.get()
                if item is _DISCONNECTED:
                    await self._handle_disconnect(client_session, handler, disconnected)
                    break
                kind = type(item)
                if kind is Subscription:
                    await self._handle_subscription(client_session, handler, _Ready(item))
                elif kind is UnSubscription:
                    await self._handle_unsubscription(client_session, handler, _Ready(item))
                elif not await self._handle_message_delivery(client_session, handler, _Ready(item)):
                    break
        except asyncio.CancelledError:
            pass
        finally:
            disconnected.remove_done_callback(on_disconnect)
            # what was for this connection only goes with it (amqtt drops its handler's queues);
            # PUBLISHes stay in the session's queue, as in amqtt
            kept = [item for item in _drain(inbox) if isinstance(item, ApplicationMessage)]
            for item in kept:
                inbox.put_nowait(item)

    async def _run_broadcast(self, running_tasks: Any) -> None:
        # amqtt's broadcast loop starts a task and an asyncio.wait for each message, so that
        # it routes one message per two loop turns; the ones already queued go in a row here.
        await super()._run_broadcast(running_tasks)
        queue = self._broadcast_queue
        while not queue.empty():
            await super()._run_broadcast(running_tasks)

    # the hooks used above are amqtt's Broker methods
    _broadcast_queue: asyncio.Queue[Any]
    _client_connected: Any
    _handle_disconnect: Any
    _handle_subscription: Any
    _handle_unsubscription: Any
    _handle_message_delivery: Any


def _drain(queue: asyncio.Queue[Any]) -> list[Any]:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items
