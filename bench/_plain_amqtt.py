"""The baseline for bench/clients_scale.py: amqtt 0.12.1 as it comes, with a bare Starlette route
that pages `broker.sessions` into the same kind of JSON, on one loop. No mqttgate code.

    python bench/_plain_amqtt.py MQTT_PORT HTTP_PORT
"""

from __future__ import annotations

import asyncio
import sys
from itertools import islice

import uvicorn
from amqtt.broker import Broker
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def main(mqtt_port: int, http_port: int) -> None:
    broker = Broker({
        "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{mqtt_port}"}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    })
    await broker.start()

    async def clients(request):
        page, limit = int(request.query_params.get("page", 1)), int(request.query_params.get("limit", 100))
        start = (page - 1) * limit
        found = [s for s, _ in islice(broker.sessions.values(), start, start + limit + 1)]
        data = [{"clientid": s.client_id, "username": s.username, "ip_address": s.remote_address,
                 "port": s.remote_port, "connected": s.transitions.state == "connected",
                 "keepalive": s.keep_alive, "clean_start": s.clean_session} for s in found[:limit]]
        return JSONResponse({"data": data, "meta": {"page": page, "limit": limit, "count": len(broker.sessions),
                                                    "hasnext": len(found) > limit}})

    app = Starlette(routes=[Route("/api/v5/clients", clients)])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=http_port, log_level="warning",
                                           access_log=False))
    await server.serve()
    await broker.shutdown()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
