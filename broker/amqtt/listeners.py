"""The MQTT listeners' sockets: shared between the processes of one machine when asked (SO_REUSEPORT)."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from amqtt.contexts import ListenerType


class ListenerRules:
    """Broker mixin: every MQTT listener bound with SO_REUSEPORT when `reuse_port` is set.

    Under `gunicorn -w N` each worker is a cluster node with its own amqtt broker, all on
    the same MQTT ports; amqtt binds its servers with `reuse_address` only, so the second
    worker's bind fails with "address already in use". With SO_REUSEPORT the kernel spreads
    new connections over the workers' sockets. Off for a single process: a second mqttgate
    configured on a taken port must fail, not silently take half of its connections.
    """

    reuse_port: bool = False

    async def _create_server_instance(self, listener_name: str, listener_type: Any, address: str | None, port: int,
                                      ssl_context: Any) -> Any:
        if not self.reuse_port:
            return await super()._create_server_instance(  # type: ignore[misc]
                listener_name, listener_type, address, port, ssl_context)
        if listener_type == ListenerType.TCP:
            return await asyncio.start_server(functools.partial(self.stream_connected, listener_name=listener_name),
                                              address, port, reuse_address=True, reuse_port=True, ssl=ssl_context)
        if listener_type == ListenerType.WS:
            import websockets

            return await websockets.serve(functools.partial(self.ws_connected, listener_name=listener_name), address,
                                          port, ssl=ssl_context, subprotocols=[websockets.Subprotocol("mqtt")],
                                          reuse_port=True)
        return await super()._create_server_instance(  # type: ignore[misc]
            listener_name, listener_type, address, port, ssl_context)
