"""Fast paths: amqtt's per-packet costs, paid once per loop turn instead of once per packet.

Measured with py-spy on `bench/mqtt_throughput.py` (see README, "Fast paths"): amqtt writes
every packet to its socket at once (a send() per PUBLISH: a third of the broker's time at
QoS 0), and wakes its per-client message loop through `asyncio.wait` over four futures, plus
a new task, for every message a client publishes. The behaviour is amqtt's; only the cost
changes. tests/test_fastpath.py pins each.
"""

from __future__ import annotations

import asyncio
from typing import Any

from amqtt.adapters import StreamReaderAdapter, StreamWriterAdapter
from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler
from amqtt.session import Session
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


def light_session(session: Session) -> Session:
    """Give `session` a `SessionState` in place of its transitions.Machine, in the same state."""
    if not isinstance(session.transitions, SessionState):
        session.transitions = SessionState(session, session.transitions.state)
    return session


class FastHandler(BrokerProtocolHandler):
    """amqtt's protocol handler with light sessions (the outgoing QoS 1/2 flows are persistence.DurableHandler's)."""

    @classmethod
    async def init_from_connect(cls, reader: Any, writer: Any, plugins_manager: Any,
                                loop: asyncio.AbstractEventLoop | None = None) -> tuple[Any, Session]:
        handler, session = await super().init_from_connect(reader, writer, plugins_manager, loop=loop)
        return handler, light_session(session)


class FastPaths:
    """Broker mixin: coalesced TCP writes; the message and broadcast loops take what is queued in a row."""

    async def stream_connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                               listener_name: str) -> None:
        # amqtt's Broker.stream_connected, with the coalescing writer
        await self._client_connected(listener_name, StreamReaderAdapter(reader), CoalescingWriter(writer))

    async def _client_message_loop(self, client_session: Session, handler: BrokerProtocolHandler) -> None:
        # amqtt's loop, but once a message is delivered, the ones already queued behind it are
        # handled in a row: amqtt pays an asyncio.wait over four futures and a new task for each.
        queue = client_session.delivered_message_queue
        loop = asyncio.get_running_loop()
        disconnect_waiter = asyncio.ensure_future(handler.wait_disconnect())
        subscribe_waiter = asyncio.ensure_future(handler.get_next_pending_subscription())
        unsubscribe_waiter = asyncio.ensure_future(handler.get_next_pending_unsubscription())
        wait_deliver = asyncio.ensure_future(handler.mqtt_deliver_next_message())
        connected = True
        while connected:
            try:
                done, _ = await asyncio.wait([disconnect_waiter, subscribe_waiter, unsubscribe_waiter, wait_deliver],
                                             return_when=asyncio.FIRST_COMPLETED)
                if disconnect_waiter in done:
                    await self._handle_disconnect(client_session, handler, disconnect_waiter)
                    connected = False
                if subscribe_waiter in done:
                    await self._handle_subscription(client_session, handler, subscribe_waiter)
                    subscribe_waiter = asyncio.ensure_future(handler.get_next_pending_subscription())
                if unsubscribe_waiter in done:
                    await self._handle_unsubscription(client_session, handler, unsubscribe_waiter)
                    unsubscribe_waiter = asyncio.ensure_future(handler.get_next_pending_unsubscription())
                if wait_deliver in done:
                    if not await self._handle_message_delivery(client_session, handler, wait_deliver):
                        break
                    # in a row while nothing else is ready, so that a SUBSCRIBE or the
                    # disconnect keeps its place among the client's packets
                    while connected and not queue.empty() and not (
                            disconnect_waiter.done() or subscribe_waiter.done() or unsubscribe_waiter.done()):
                        ready = loop.create_future()
                        ready.set_result(queue.get_nowait())
                        if not await self._handle_message_delivery(client_session, handler, ready):
                            connected = False
                    wait_deliver = asyncio.ensure_future(handler.mqtt_deliver_next_message())
            except asyncio.CancelledError:
                break
        pending_waiters = [disconnect_waiter, subscribe_waiter, unsubscribe_waiter, wait_deliver]
        for waiter in pending_waiters:
            waiter.cancel()
        await asyncio.gather(*pending_waiters, return_exceptions=True)

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
