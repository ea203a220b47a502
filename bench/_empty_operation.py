"""An operation that does nothing, served as mqttgate serves its API: connexion's floor, for bench/clients_list.py.

The same GateApp (connexion with mqttgate's fast paths), strict validation of the same two
query parameters as a page, the same uvicorn options (h11); no auth, no middleware of mqttgate's,
no broker. Whatever a request costs here, every operation of mqttgate pays.

    python bench/_empty_operation.py PORT
"""

from __future__ import annotations

import sys

import uvicorn

SPEC = {
    "openapi": "3.0.3", "info": {"title": "empty", "version": "1"}, "servers": [{"url": "/api/v5"}],
    "paths": {"/empty": {"get": {
        "operationId": "_empty_operation.empty",
        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}},
                       {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
        "responses": {"200": {"description": "nothing",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }}},
}


async def empty(limit: int = 100, page: int = 1) -> dict:
    return {}


if __name__ == "__main__":
    from mqttgate.app import uvicorn_options
    from mqttgate.config import Config
    from mqttgate.fast_api import GateApp

    app = GateApp(__name__)
    app.add_api(SPEC, strict_validation=True)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False,
                **uvicorn_options(Config()))
