"""The composition root: `create_app(config)` wires spec, handlers, errors and the runtime."""

from __future__ import annotations

import copy
import functools
import json
import os
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

# connexion imports starlette's test client, which warns when httpx2 is not installed
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from connexion.middleware import MiddlewarePosition  # noqa: E402
from connexion.options import SwaggerUIOptions  # noqa: E402
from starlette.responses import RedirectResponse, Response  # noqa: E402

from mqttgate import errors, request_parsing  # noqa: E402
from mqttgate.api_metrics import ApiMetrics  # noqa: E402
from mqttgate.broker.errors import GateError  # noqa: E402
from mqttgate.config import CONFIG_ENV, Config, load_config  # noqa: E402
from mqttgate.fast_api import GateApp  # noqa: E402
from mqttgate.http_limits import RequestLimits  # noqa: E402
from mqttgate.request_log import RequestLog  # noqa: E402
from mqttgate.runtime import Runtime  # noqa: E402

SPEC_DIR = Path(str(resources.files("mqttgate.spec")))
API_BASE = "/api/v5"
DOCS_PATH = "/api-docs"


def create_app(config: Config | None = None, rest_listeners: list[tuple[str, str]] | None = None) -> BrokerLifespan:
    """Build the ASGI app; the broker starts and stops with the app's lifespan.

    Args:
        config: the configuration; None reads the file named by `MQTTGATE_CONFIG` (if set)
            and the environment, as under gunicorn.
        rest_listeners: the REST listeners the caller serves the app on, as (name, "host:port");
            None where the server binds on its own (gunicorn), and `/listeners` then names the
            address each request came to.
    """
    if config is None:
        config = load_config(os.environ.get(CONFIG_ENV))
    source, spec = _spec()
    api = GateApp(
        __name__,
        specification_dir=SPEC_DIR,
        # connexion would serve its own copy, every $ref inlined: serve the document as written
        swagger_ui_options=SwaggerUIOptions(serve_spec=False, swagger_ui=config.rest_api.swagger_ui,
                                            swagger_ui_path=DOCS_PATH),
    )
    # connexion fills in defaults in the dict it is given: a copy of the one parsed
    api.add_api(copy.deepcopy(spec), strict_validation=True, validate_responses=config.rest_api.validate_responses,
                validator_map=request_parsing.VALIDATORS,
                uri_parser_class=request_parsing.RepeatedQueryParser)
    if config.rest_api.swagger_ui:
        api.add_url_rule(DOCS_PATH, "api_docs", _to_swagger_ui)
    _serve_spec(api, source, spec)
    errors.register(api, errors.SpecRoutes(spec, API_BASE))
    # outside the exception handling, so that error answers are counted with their status
    api.add_middleware(ApiMetrics, position=MiddlewarePosition.BEFORE_EXCEPTION)
    # access and audit logs: outside the exception handling too, for the final status
    api.add_middleware(RequestLog, position=MiddlewarePosition.BEFORE_EXCEPTION,
                       access=config.log.access_log, audit=config.audit.enabled)
    return BrokerLifespan(api, config, rest_listeners)


@functools.cache
def _spec() -> tuple[str, dict[str, Any]]:
    """The spec as written and as parsed, once per process: parsing it is most of what building
    an app costs (connexion reads a file with PyYAML's pure-Python loader; libyaml's is 10x faster)."""
    source = (SPEC_DIR / "openapi.yaml").read_text(encoding="utf-8")
    return source, yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _serve_spec(api: GateApp, source: str, spec: dict[str, Any]) -> None:
    """The spec at /api/v5/openapi.json and .yaml, as written: its $refs and named components kept."""
    as_json = json.dumps(spec, ensure_ascii=False).encode()
    as_yaml = source.encode()

    async def openapi_json(request: Any) -> Response:
        return Response(as_json, media_type="application/json")

    async def openapi_yaml(request: Any) -> Response:
        return Response(as_yaml, media_type="application/yaml")

    api.add_url_rule(f"{API_BASE}/openapi.json", "openapi_json", openapi_json)
    api.add_url_rule(f"{API_BASE}/openapi.yaml", "openapi_yaml", openapi_yaml)


def uvicorn_options(config: Config) -> dict[str, Any]:
    """How uvicorn serves the app: h11, whose limit on the request line and headers is set
    (httptools, uvicorn's pick when installed, has none: a 100 MB header was read for 20 s)."""
    return {"http": "h11", "h11_max_incomplete_event_size": config.rest_api.max_header_size}


async def _to_swagger_ui(request: Any) -> RedirectResponse:
    return RedirectResponse(f"{API_BASE}{DOCS_PATH}/", status_code=307)


class BrokerLifespan:
    """The API app, with the runtime started and stopped by the ASGI lifespan.

    The runtime reaches handlers through the lifespan state (`request.state.broker`).
    A start that cannot succeed (data_dir owned by another worker, port in use) fails
    the lifespan with one line, so uvicorn and gunicorn stop instead of retrying.
    """

    def __init__(self, api: GateApp, config: Config, rest_listeners: list[tuple[str, str]] | None = None) -> None:
        self.api = api
        self._http = RequestLimits(api, max_body_size=config.rest_api.max_body_size,
                                   max_upload_size=config.rest_api.max_upload_size,
                                   max_header_size=config.rest_api.max_header_size)
        self.config = config
        self.rest_listeners = rest_listeners
        self.runtime: Runtime | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self._http(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.runtime = await Runtime.start(self.config)
                except (GateError, OSError) as exc:
                    await send({"type": "lifespan.startup.failed", "message": f"mqttgate cannot start: {exc}"})
                    return
                scope.setdefault("state", {}).update(
                    broker=self.runtime.broker, api_keys=self.runtime.api_keys, tracer=self.runtime.tracer,
                    backups=self.runtime.backups, access=self.runtime.access, node=self.runtime.node,
                    rest_listeners=self.rest_listeners, ops=self.runtime.ops,
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.runtime is not None:
                    await self.runtime.stop()
                    self.runtime = None
                await send({"type": "lifespan.shutdown.complete"})
                return
