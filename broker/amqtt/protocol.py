"""MQTT protocol rules amqtt leaves open: CONNECT timeout, keepalive, connection tracking."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from amqtt.errors import AMQTTError, MQTTError
from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler
from amqtt.session import Session
from amqtt.utils import gen_client_id

from mqttgate.broker.amqtt.fastpath import FastHandler
from mqttgate.broker.amqtt.sessions import close_writer, session_info


class GateHandler(FastHandler):
    def handle_read_timeout(self) -> None:
        # amqtt ignores a client that stays silent past its keepalive; MQTT 3.1.1
        # §3.1.2.10 says close it (which publishes its will).
        self._closing = asyncio.ensure_future(self.handle_connection_closed())


class ProtocolRules:
    """Broker mixin: a CONNECT within `connect_timeout`, keepalive enforced, every connection tracked."""

    connect_timeout: float
    transports: set[asyncio.BaseTransport]

    # Connections are tracked so that shutdown can abort the ones that would not close.
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
                GateHandler.init_from_connect(reader, writer, self._plugins_for(writer)), self.connect_timeout
            )
        except TimeoutError:
            await close_writer(writer)
            raise AMQTTError(f"no CONNECT from {remote_address}:{remote_port} within {self.connect_timeout}s") from None
        except MQTTError:
            await close_writer(writer)
            raise
        except Exception as exc:
            await close_writer(writer)
            raise AMQTTError(f"bad CONNECT from {remote_address}:{remote_port}: {exc!r}") from None
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

