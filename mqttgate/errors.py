"""Every non-2xx answer as EMQX's `{"code", "message"}`: one table, registered once."""

from __future__ import annotations

import functools
import json
import logging
import re
from typing import Any

from connexion import ConnexionMiddleware
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from mqttgate.broker import errors

log = logging.getLogger("mqttgate.api")

# Walked along the exception's class hierarchy: the most specific entry wins.
DOMAIN_ERRORS: dict[type[errors.GateError], tuple[int, str]] = {
    errors.ClientNotFound: (404, "CLIENTID_NOT_FOUND"),
    errors.NodeNotFound: (404, "NOT_FOUND"),
    errors.TopicNotFound: (404, "TOPIC_NOT_FOUND"),
    errors.InvalidTopic: (400, "BAD_TOPIC"),
    errors.NotAuthorized: (403, "NOT_AUTHORIZED"),
    errors.NotFound: (404, "NOT_FOUND"),
    errors.InvalidRequest: (400, "BAD_REQUEST"),
    errors.AlreadyExists: (409, "ALREADY_EXISTS"),
    errors.ExceedLimit: (409, "EXCEED_LIMIT"),
    errors.UnauthorizedRole: (403, "UNAUTHORIZED_ROLE"),
    errors.BrokerUnavailable: (503, "SERVICE_UNAVAILABLE"),
    errors.GateError: (500, "INTERNAL_ERROR"),
}

# The catalogue GET /error_codes serves: every code the API may answer with (a test holds the spec to it).
ERROR_CODES: dict[str, str] = {
    "BAD_REQUEST": "The request is not valid: a parameter or the body breaks the API's rules",
    "NOT_MATCH": "The conditions of the request are not met",
    "ALREADY_EXISTS": "The resource already exists",
    "BAD_TOPIC": "The topic or topic filter is not valid MQTT",
    "UNAUTHORIZED_ROLE": "The API key's role does not allow this operation",
    "EXCEED_LIMIT": "The request would exceed a limit",
    "INVALID_PARAMETER": "A parameter is out of its allowed range",
    "CONFLICT": "The request conflicts with the resource's current state",
    "DEPENDENCY_EXISTS": "Another resource depends on this one",
    "WRONG_USERNAME_OR_PWD": "Wrong username or password",
    "WRONG_USERNAME_OR_PWD_OR_API_KEY_OR_API_SECRET": "Wrong or missing credentials (HTTP Basic with an API key "
                                                      "and secret)",
    "FORBIDDEN": "The credentials do not allow this request",
    "NOT_AUTHORIZED": "The client may not do this (access control)",
    "NOT_FOUND": "The resource was not found",
    "CLIENTID_NOT_FOUND": "No client has this client id",
    "RESOURCE_NOT_FOUND": "The resource was not found",
    "TOPIC_NOT_FOUND": "The topic was not found",
    "USER_NOT_FOUND": "The user was not found",
    "METHOD_NOT_ALLOWED": "The path does not support this method (the Allow header lists those it does)",
    "NOT_ACCEPTABLE": "The API cannot answer in a media type the Accept header allows",
    "PAYLOAD_TOO_LARGE": "The request body is too large",
    "UNSUPPORTED_MEDIA_TYPE": "The request body's media type is not supported",
    "INTERNAL_ERROR": "The server failed; the cause is in its log",
    "SERVICE_UNAVAILABLE": "The broker is not running",
}

HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "WRONG_USERNAME_OR_PWD_OR_API_KEY_OR_API_SECRET",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    503: "SERVICE_UNAVAILABLE",
}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> ConnexionResponse:
    headers = dict(headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Basic realm="mqttgate"')
    return ConnexionResponse(
        status_code=status,
        body=json.dumps({"code": code, "message": message}),
        content_type="application/json",
        headers=headers,
    )


def one_line(text: str, limit: int = 300) -> str:
    # jsonschema appends the whole schema and instance after a blank line: keep the first line
    line = " ".join(str(text).strip().split("\n", 1)[0].split())
    # a long line is mostly the offending value; the reason and the field are at its end
    return line if len(line) <= limit else line[: limit // 2 - 3] + "..." + line[-(limit - limit // 2):]


def domain_error(request: ConnexionRequest, exc: errors.GateError) -> ConnexionResponse:
    for cls in type(exc).__mro__:
        if cls in DOMAIN_ERRORS:
            status, code = DOMAIN_ERRORS[cls]
            break
    if status >= 500:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(status, code, one_line(exc.message))


class SpecRoutes:
    """The spec's paths, to answer the router's own 404 and 405 as the operation would.

    connexion routes each operation separately, so its own 405 names only one method; and
    starlette's mount does not match paths with a newline, which makes them a bare 404.
    """

    def __init__(self, spec: dict[str, Any], base_path: str) -> None:
        self._spec = spec
        self._routes = []
        for template, item in spec["paths"].items():
            methods = {m.upper(): op for m, op in item.items() if m in _HTTP_METHODS}
            whole = self._path_valued(item, methods.values())
            pattern = re.sub(r"\\{([^/]+?)\\}", lambda m, whole=whole: ".+" if m[1] in whole else "[^/]+",
                             re.escape(base_path + template))
            self._routes.append((re.compile(pattern + "$", re.DOTALL), methods))

    def _path_valued(self, item: dict[str, Any], operations: Any) -> set[str]:
        """Names of path parameters with `format: path` (they may hold slashes)."""
        params = [*item.get("parameters", []), *(p for op in operations for p in op.get("parameters", []))]
        params = [self._resolve(p["$ref"]) if "$ref" in p else p for p in params]
        return {p["name"] for p in params if p.get("in") == "path" and p.get("schema", {}).get("format") == "path"}

    def _methods(self, path: str) -> dict[str, Any]:
        return next((methods for pattern, methods in self._routes if pattern.match(path)), {})

    def allow(self, path: str) -> str:
        methods = set(self._methods(path))
        if "GET" in methods:
            methods.add("HEAD")
        return ", ".join(sorted(methods))

    def not_found_code(self, path: str, method: str) -> str:
        """The code the operation documents for 404, or NOT_FOUND."""
        operation = self._methods(path).get(method.upper(), {})
        response = operation.get("responses", {}).get("404", {})
        while "$ref" in response:
            response = self._resolve(response["$ref"])
        codes = response.get("x-error-codes") or ["NOT_FOUND"]
        return codes[0]

    def _resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self._spec
        for key in ref.removeprefix("#/").split("/"):
            node = node[key]
        return node


_HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def http_error(request: ConnexionRequest, exc: HTTPException, routes: SpecRoutes) -> ConnexionResponse:
    status = exc.status_code
    code = (getattr(exc, "ext", None) or {}).get("code") or HTTP_CODES.get(
        status, "BAD_REQUEST" if status < 500 else "INTERNAL_ERROR")
    detail = getattr(exc, "detail", None) or getattr(exc, "title", None) or "Request failed"
    headers = dict(getattr(exc, "headers", None) or {})
    if status == 401:
        detail = "Wrong API key or secret, or none given (HTTP Basic)"
    elif status == 404:
        code = routes.not_found_code(request.url.path, request.method)
    elif status == 405:
        headers["Allow"] = routes.allow(request.url.path) or headers.get("Allow", "")
    return error_response(status, code, one_line(detail), headers)


def bad_form(request: ConnexionRequest, exc: MultiPartException) -> ConnexionResponse:
    # starlette's form parser raises it on a malformed multipart body (a part without headers)
    return error_response(400, "BAD_REQUEST", f"Malformed multipart body: {one_line(exc.message)}")


def unexpected_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(500, "INTERNAL_ERROR", "Internal error; the cause is in the server log")


def register(app: ConnexionMiddleware, routes: SpecRoutes) -> None:
    """Answer every error of `app` as `{"code", "message"}`."""
    app.add_error_handler(errors.GateError, domain_error)
    app.add_error_handler(ProblemException, functools.partial(http_error, routes=routes))
    app.add_error_handler(HTTPException, functools.partial(http_error, routes=routes))
    app.add_error_handler(MultiPartException, bad_form)
    app.add_error_handler(Exception, unexpected_error)

