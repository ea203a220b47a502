"""MQTT protocol rules amqtt leaves open: CONNECT timeout, keepalive, connection tracking."""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any

from amqtt.adapters import BufferReader
from amqtt.codecs_amqtt import read_or_raise
from amqtt.errors import AMQTTError, MQTTError, NoDataError
from amqtt.events import MQTTEvents
from amqtt.mqtt import packet_class
from amqtt.mqtt.connack import NOT_AUTHORIZED, ConnackPacket
from amqtt.mqtt.packet import (
    CONNECT,
    DISCONNECT,
    PINGREQ,
    PINGRESP,
    PUBACK,
    PUBCOMP,
    PUBLISH,
    PUBREC,
    PUBREL,
    SUBSCRIBE,
    UNSUBSCRIBE,
    MQTTFixedHeader,
)
from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler
from amqtt.session import Session
from amqtt.utils import gen_client_id

from mqttgate.broker.amqtt.fastpath import FastHandler
from mqttgate.broker.amqtt.framing import (
    PUBLISH_OVERHEAD,
    Refused,
    WillRefused,
    check_connect,
    check_packet,
    read_frame,
)
from mqttgate.broker.amqtt.sessions import close_writer, session_info

log = logging.getLogger(__name__)

DEFAULT_MAX_PAYLOAD = 1024 * 1024


# the handler of each packet type a client sends, by name (a subclass may override it)
_HANDLERS = {SUBSCRIBE: "handle_subscribe", UNSUBSCRIBE: "handle_unsubscribe", PUBACK: "handle_puback",
             PUBREC: "handle_pubrec", PUBREL: "handle_pubrel", PUBCOMP: "handle_pubcomp", PINGREQ: "handle_pingreq",
             PINGRESP: "handle_pingresp", PUBLISH: "handle_publish", DISCONNECT: "handle_disconnect"}


class GateHandler(FastHandler):
    max_payload_size = DEFAULT_MAX_PAYLOAD
    max_packet_size = DEFAULT_MAX_PAYLOAD + PUBLISH_OVERHEAD
    publish_refused: Any = None  # told of each PUBLISH refused here (the broker counts it)

    async def _reader_loop(self) -> None:
        # amqtt's loop trusts the fixed header and, when it rejects a packet half-way, leaves
        # the rest unread, to be parsed as packets (framing.py). This one reads each packet
        # whole (refused from its fixed header when over max_packet_size), checks it, closes
        # on a violation before anything is answered, and only then lets amqtt decode it.
        assert self.session is not None and self._reader_ready is not None
        handlers = _HANDLERS
        # the handlers' tasks under way, oldest first (a list: an idle connection's deque is 0.7 kB)
        running: list[asyncio.Task[None]] = []
        keepalive = self.session.keep_alive if self.session.keep_alive > 0 else None
        while True:
            try:
                self._reader_ready.set()
                if running and running[0].done():
                    running[:] = [task for task in running if not task.done()]
                if self.reader is None:
                    break
                if keepalive is None:
                    frame = await read_frame(self._read, self.max_packet_size)
                else:  # asyncio.wait_for would make a task for every packet read (Python 3.11)
                    async with asyncio.timeout(keepalive):
                        frame = await read_frame(self._read, self.max_packet_size)
                if frame is None:
                    break
                try:
                    check_packet(frame, self.max_payload_size)
                except Refused:
                    if frame.packet_type == PUBLISH and self.publish_refused is not None:
                        self.publish_refused(self, frame)
                    raise
                header = MQTTFixedHeader(frame.packet_type, frame.flags, len(frame.body))
                if header.packet_type == CONNECT:
                    raise Refused("a second CONNECT [MQTT-3.1.0-2]")
                if header.packet_type not in handlers:
                    raise Refused(f"packet of type {header.packet_type}, which a client does not send")
                packet = await packet_class(header).from_stream(BufferReader(frame.body), fixed_header=header)
                await self.plugins_manager.fire_event(MQTTEvents.PACKET_RECEIVED, packet=packet, session=self.session)
                handle = getattr(self, handlers[header.packet_type])(packet)
                if not running and (header.packet_type == PUBACK
                                    or (header.packet_type == PUBLISH and not frame.flags & 0x06)):
                    # amqtt runs each packet's handler in a task of its own; these two (QoS 0
                    # PUBLISH: queued for routing; PUBACK: in-flight entry dropped) finish
                    # without waiting, so with no earlier one under way they run here, in order
                    await _inline(handle)
                else:
                    running.append(asyncio.create_task(handle))
            except Refused as exc:
                log.warning("%s (%s): %s; closing its connection", self.session.client_id,
                            self.session.remote_address, exc)
                break
            except (MQTTError, AMQTTError, NoDataError, ValueError) as exc:
                if not isinstance(exc, NoDataError):  # NoDataError: the connection ended mid-packet
                    log.warning("%s (%s): malformed packet (%s); closing its connection", self.session.client_id,
                                self.session.remote_address, exc)
                break
            except asyncio.CancelledError:
                break
            except TimeoutError:
                self.handle_read_timeout()
            except Exception as exc:  # amqtt's loop too ends the connection on anything else
                log.warning("%s: unexpected error reading its packets: %r", self.session.client_id, exc)
                break
        for task in running:
            task.cancel()
        await self.handle_connection_closed()
        self._reader_stopped.set()
        await self.stop()

    async def _read(self, n: int) -> bytes:
        return await read_or_raise(self.reader, n)

    def handle_read_timeout(self) -> None:
        # amqtt ignores a client that stays silent past its keepalive; MQTT 3.1.1
        # §3.1.2.10 says close it (which publishes its will).
        self._closing = asyncio.ensure_future(self.handle_connection_closed())


async def _inline(handle: Any) -> None:
    try:
        await handle
    except Exception:  # as from its task: the connection goes on
        log.exception("handling a packet failed")


class ProtocolRules:
    """Broker mixin: a CONNECT within `connect_timeout`, keepalive enforced, every connection tracked."""

    connect_timeout: float
    transports: set[asyncio.BaseTransport]
    max_payload_size: int
    max_packet_size: int
    handler_class: type[GateHandler] = GateHandler

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
            async with asyncio.timeout(self.connect_timeout):  # not wait_for: no task per CONNECT
                handler, session = await self._read_connect(reader, writer, f"{remote_address}:{remote_port}")
        except TimeoutError:
            await close_writer(writer)
            raise AMQTTError(f"no CONNECT from {remote_address}:{remote_port} within {self.connect_timeout}s") from None
        except MQTTError:
            await close_writer(writer)
            raise
        except Exception as exc:
            await close_writer(writer)
            raise AMQTTError(f"bad CONNECT from {remote_address}:{remote_port}: {exc!r}") from None
        handler.max_payload_size, handler.max_packet_size = self.max_payload_size, self.max_packet_size
        handler.publish_refused = self._publish_refused
        if not session.client_id:
            session.client_id = gen_client_id()
        info = session_info(session)
        info.keepalive = session.keep_alive
        info.transport = getattr(getattr(writer, "_writer", None), "transport", None) or getattr(
            getattr(writer, "_protocol", None), "transport", None
        )
        if session.keep_alive > 0:
            # the reader times out after 1.5x keepalive (MQTT 3.1.1 §3.1.2.10)
            session.keep_alive = math.ceil(session.keep_alive * 1.5)
        return handler, session


    async def _read_connect(self, reader: Any, writer: Any, peer: str) -> tuple[BrokerProtocolHandler, Session]:
        """Read the CONNECT whole (bounded by max_packet_size), check it, then let amqtt decode it.

        amqtt reads the CONNECT field by field, trusting its lengths, decodes strings that
        are not UTF-8 as a Python bytes repr, and takes any will. [MQTT-1.5.3-1/-2]: a
        client id, username or will topic that is not UTF-8 or holds U+0000 closes the
        connection; a will no PUBLISH could carry ($ topic, wildcard, over max_payload_size)
        gets CONNACK "not authorized".
        """
        try:
            frame = await read_frame(lambda n: read_or_raise(reader, n), self.max_packet_size)
            if frame is None:
                raise NoDataError("no CONNECT")
            check_connect(frame, self.max_payload_size)
        except WillRefused as exc:
            log.warning("CONNECT from %s refused: %s", peer, exc)
            writer.write(ConnackPacket.build(0, NOT_AUTHORIZED).to_bytes())
            await writer.drain()
            raise MQTTError(f"CONNECT from {peer} refused: {exc}") from None
        except Refused as exc:
            log.warning("CONNECT from %s: %s; closing the connection", peer, exc)
            raise MQTTError(f"CONNECT from {peer}: {exc}") from None
        return await self.handler_class.init_from_connect(BufferReader(frame.to_bytes()), writer,
                                                          self._plugins_for(writer))
