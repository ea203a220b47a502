"""connexion as mqttgate runs it: what connexion 3.3 computes on every request, computed once at app build.

Measured with py-spy on GET /clients and POST /publish (README, "Fast paths"): per request,
connexion builds a new decorator chain around the handler (with `inspect.signature` of it),
a URI parser, a parameter validator and a jsonschema validator for each parameter (after a
deepcopy of its definition) and for the body, and inspects the security function's signature
twice; and it passes every request through the Swagger UI's router. Each class here is one
of connexion's supported extension points (the app's middleware app, its middlewares,
`security_map`, `jsonifier`), doing the same work with what does not change between
requests built when the operation is. Validation, security and serialisation stay
connexion's: same checks, same errors.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
from typing import Any

import orjson
from connexion import AsyncApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp, AsyncOperation
from connexion.datastructures import MediaTypeDict
from connexion.decorators import StarletteDecorator
from connexion.exceptions import OAuthResponseProblem, UnsupportedMediaTypeProblem
from connexion.jsonifier import JSONEncoder, Jsonifier
from connexion.lifecycle import ConnexionRequest
from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.middleware.routing import RoutingAPI, RoutingMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.security import NO_VALUE, BasicSecurityHandler
from connexion.spec import OpenAPISpecification
from connexion.utils import is_nullable
from starlette._utils import get_route_path
from starlette.routing import Match, Mount, Route, Router
from starlette.types import Receive, Scope, Send

_UNSET = object()


class FastOperation(AsyncOperation):
    """connexion's AsyncOperation, its decorators and URI parser built once.

    connexion builds a new StarletteDecorator around the handler for every request (its
    `fn` property), which runs `inspect.signature` on the handler each time.
    """

    def __init__(self, fn: Any, jsonifier: Jsonifier, operation_id: str, pythonic_params: bool,
                 uri_parser: Any = None) -> None:
        super().__init__(fn, jsonifier=jsonifier, operation_id=operation_id, pythonic_params=pythonic_params)
        self._decorated = StarletteDecorator(pythonic_params=pythonic_params, jsonifier=jsonifier).decorate(fn)
        self._uri_parser = uri_parser

    @classmethod
    def from_operation(cls, operation: Any, *, pythonic_params: bool, jsonifier: Jsonifier) -> FastOperation:
        uri_parser = operation.uri_parser_class(operation.parameters, operation.body_definition())
        return cls(operation.function, jsonifier=jsonifier, operation_id=operation.operation_id,
                   pythonic_params=pythonic_params, uri_parser=uri_parser)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        request = ConnexionRequest(scope, receive, uri_parser=self._uri_parser)
        response = await self._decorated(request)
        return await response(scope, receive, send)


class FastApi(AsyncApi):
    def make_operation(self, operation: Any) -> FastOperation:
        return FastOperation.from_operation(operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)


class FastASGIApp(AsyncASGIApp):
    api_cls = FastApi


class FastValidationOperation(RequestValidationOperation):
    """connexion's request validation, its validators built once per operation (and body media type).

    connexion builds a URI parser and a parameter validator for every request, and a body
    validator (with its jsonschema validator) for every request with a body.
    """

    def __init__(self, next_app: Any, **kwargs: Any) -> None:
        super().__init__(next_app, **kwargs)
        operation = self._operation
        self._uri_parser = operation._uri_parser_class(operation.parameters, operation.body_definition())
        self._parameter_validator = self._validator_map["parameter"](
            operation.parameters, uri_parser=self._uri_parser, strict_validation=self.strict_validation,
            security_query_params=self.security_query_params)
        self._consumes = MediaTypeDict([(c.lower(), None) for c in operation.consumes]) if operation.consumes else None
        self._body_validators: dict[tuple[str, str], Any] = {}

    def validate_mime_type(self, mime_type: str) -> None:
        if self._consumes is not None and mime_type.lower() not in self._consumes:
            raise UnsupportedMediaTypeProblem(
                detail=f"Invalid Content-type ({mime_type}), expected {self._operation.consumes}")

    def _body_validator(self, mime_type: str, encoding: str) -> Any:
        validator = self._body_validators.get((mime_type, encoding), _UNSET)
        if validator is not _UNSET:
            return validator
        operation = self._operation
        schema = operation.body_schema(mime_type)
        validator = None
        if schema:
            try:
                validator_cls = self._validator_map["body"][mime_type]
            except KeyError:
                validator_cls = None  # connexion skips validation then (and logs it)
            if validator_cls is not None:
                validator = validator_cls(
                    schema=schema, required=operation.request_body.get("required", False),
                    nullable=is_nullable(operation.body_definition(mime_type)), encoding=encoding,
                    strict_validation=self.strict_validation,
                    uri_parser=operation.uri_parser_class(operation.parameters, operation.body_definition()))
        if len(self._body_validators) < 64:  # media types are the client's to choose: bounded
            self._body_validators[mime_type, encoding] = validator
        return validator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._parameter_validator.validate(scope)
        mime_type, encoding = self.extract_content_type(scope["headers"])
        self.validate_mime_type(mime_type)
        validator = self._body_validator(mime_type, encoding)
        if validator is not None:
            receive, scope = await validator.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)


class FastValidationApi(RequestValidationAPI):
    def make_operation(self, operation: Any) -> FastValidationOperation:
        return FastValidationOperation(self.next_app, operation=operation, strict_validation=self.strict_validation,
                                       validator_map=self.validator_map)


class FastValidationMiddleware(RequestValidationMiddleware):
    api_cls = FastValidationApi


class BasicAuth(BasicSecurityHandler):
    """connexion's HTTP Basic handler, the signature of the `x-basicInfoFunc` read once (connexion: twice a request)."""

    def _generic_check(self, func: Any, exception_msg: str) -> Any:
        wants_scopes = self._accepts_kwarg(func, self.required_scopes_kw)
        wants_request = self._accepts_kwarg(func, self.request_kw)

        async def wrapper(request: Any, *args: Any, required_scopes: Any = None) -> Any:
            kwargs = {}
            if wants_scopes:
                kwargs[self.required_scopes_kw] = required_scopes
            if wants_request:
                kwargs[self.request_kw] = request
            token_info = func(*args, **kwargs)
            while asyncio.iscoroutine(token_info):
                token_info = await token_info
            if token_info is NO_VALUE:
                return NO_VALUE
            if token_info is None:
                raise OAuthResponseProblem(detail=exception_msg)
            return token_info

        return wrapper


SECURITY_MAP = {"basic": BasicAuth}

_connexion_default = functools.partial(JSONEncoder.default, JSONEncoder())


def _default(value: Any) -> Any:
    return _connexion_default(value)


class FastJsonifier(Jsonifier):
    """connexion's Jsonifier on orjson: the same JSON values (what the stdlib encodes, connexion's
    encoder for datetimes, dates, decimals and UUIDs), without the spaces; the stdlib for what
    orjson refuses (integers past 64 bits)."""

    _OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_APPEND_NEWLINE

    def dumps(self, data: Any, **kwargs: Any) -> Any:
        if not kwargs:
            try:
                return orjson.dumps(data, default=_default, option=self._OPTIONS)
            except (orjson.JSONEncodeError, TypeError):
                pass
        return super().dumps(data, **kwargs)


class IndexedRouter(Router):
    """starlette's Router, trying only the routes that can match the path's first segment.

    starlette tries every route in turn (a regular expression each): the spec's 90-odd
    operations for every request. A route whose path starts with a literal segment can only
    match paths starting with it; the others (a parameter first) are tried for every path.
    Order, partial matches (405) and the rest are starlette's.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._indexed: tuple[int, dict[str, list[Any]], list[Any]] | None = None

    def _candidates(self, path: str) -> list[Any] | None:
        if self._indexed is None or self._indexed[0] != len(self.routes):
            self._indexed = self._index()
        _, by_segment, anywhere = self._indexed
        if anywhere is None:
            return None
        return by_segment.get(path.split("/", 2)[1] if path.startswith("/") else "", anywhere)

    def _index(self) -> tuple[int, dict[str, list[Any]], Any]:
        firsts = []
        for route in self.routes:
            if type(route) is not Route:
                return len(self.routes), {}, None  # a Mount or a custom route: try them all
            first = route.path.split("/", 2)[1] if route.path.startswith("/") else None
            firsts.append(None if first is None or "{" in first else first)
        by_segment: dict[str, list[Any]] = {}
        for first in set(firsts) - {None}:
            by_segment[first] = [r for r, f in zip(self.routes, firsts, strict=True) if f in (first, None)]
        anywhere = [r for r, f in zip(self.routes, firsts, strict=True) if f is None]
        return len(self.routes), by_segment, anywhere

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        candidates = self._candidates(get_route_path(scope)) if scope["type"] == "http" else None
        if candidates is None:
            await super().app(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        partial = None
        for route in candidates:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is not None:
            scope["route"] = partial
            scope.update(partial_scope)
            await partial.handle(scope, receive, send)
            return
        await super().app(scope, receive, send)  # no route: starlette's redirect or default


class IndexedRoutingMiddleware(RoutingMiddleware):
    """connexion's routing middleware over an `IndexedRouter` per API."""

    def add_api(self, specification: Any, base_path: str | None = None, arguments: dict | None = None,
                **kwargs: Any) -> None:
        # connexion's RoutingMiddleware.add_api, with the API's router indexed
        api = RoutingAPI(specification, base_path=base_path, arguments=arguments, next_app=self.app, **kwargs)
        api.router = IndexedRouter(routes=api.router.routes, default=api.router.default)
        for route in self.router.routes:
            if isinstance(route, Mount) and route.path == api.base_path:
                route.app.default = api.router
        self.router.mount(api.base_path, app=api.router)


class UiOnlyMiddleware(SwaggerUIMiddleware):
    """connexion's Swagger UI middleware, its router tried only for the paths it can serve.

    connexion passes every request through the UI's router (a Mount per API, the UI's routes,
    then each of them again for a trailing-slash redirect) before the API gets it: a third of
    an empty operation's time. A path that starts with none of the UI routes' paths (a
    trailing slash and path parameters aside) goes straight on, with the scope it came with,
    as connexion's fallback passes it.
    """

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self._prefixes: tuple[str, ...] = ()

    def add_api(self, specification: Any, base_path: str | None = None, arguments: dict | None = None,
                **kwargs: Any) -> None:
        super().add_api(specification, base_path=base_path, arguments=arguments, **kwargs)
        mount = self.router.routes[-1]  # the API's UI routes, under its base path
        self._prefixes += tuple(mount.path + route.path.split("{")[0].rstrip("/") for route in mount.app.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not get_route_path(scope).startswith(self._prefixes):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


_REPLACED = {RequestValidationMiddleware: FastValidationMiddleware, RoutingMiddleware: IndexedRoutingMiddleware,
             SwaggerUIMiddleware: UiOnlyMiddleware}


_validate_spec = OpenAPISpecification._validate_spec.__func__
_valid_specs: set[bytes] = set()


@classmethod  # type: ignore[misc]
def _validate_spec_once(cls: type, spec: dict[str, Any]) -> None:
    # connexion validates the whole document against the OpenAPI schema for every app it builds,
    # most of the build's time; a document is as valid the second time: once per content, per process
    key = hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).digest()
    if key not in _valid_specs:
        _validate_spec(cls, spec)
        _valid_specs.add(key)


OpenAPISpecification._validate_spec = _validate_spec_once


def _middlewares() -> list[Any]:
    return [_REPLACED.get(m, m) for m in ConnexionMiddleware.default_middlewares]


class GateApp(AsyncApp):
    """connexion's AsyncApp with the fast paths above: same spec, routing, security and validation."""

    def __init__(self, import_name: str, **kwargs: Any) -> None:
        kwargs.setdefault("middlewares", _middlewares())
        kwargs.setdefault("jsonifier", FastJsonifier(json))
        kwargs.setdefault("security_map", SECURITY_MAP)
        super().__init__(import_name, **kwargs)
        # AsyncApp gives no hook for its inner app: replaced before the middleware stack is built
        self._middleware_app = FastASGIApp()
        self.middleware.app = self._middleware_app
