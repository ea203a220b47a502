"""connexion as mqttgate runs it: what connexion 3.3 computes on every request, computed once at app build.

Measured with py-spy on GET /clients and POST /publish (README, "Fast paths"): per request,
connexion builds a new decorator chain around the handler (with `inspect.signature` of it),
a URI parser, a parameter validator and a jsonschema validator for each parameter (after a
deepcopy of its definition) and for the body, and inspects the security function's signature
twice. Each class here is one of connexion's supported extension points (the app's
middleware app, its validation middleware, `security_map`, `jsonifier`), doing the same
work with what does not change between requests built when the operation is. Validation,
security and serialisation stay connexion's: same checks, same errors.
"""

from __future__ import annotations

import asyncio
import functools
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
from connexion.security import NO_VALUE, BasicSecurityHandler
from connexion.utils import is_nullable
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


def _middlewares() -> list[Any]:
    return [FastValidationMiddleware if m is RequestValidationMiddleware else m
            for m in ConnexionMiddleware.default_middlewares]


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
