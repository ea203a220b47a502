"""Every non-2xx answer as EMQX's `{"code", "message"}`: one table, registered once."""

from __future__ import annotations

import json
import logging

from connexion import ConnexionMiddleware
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.validators import ParameterValidator
from starlette.exceptions import HTTPException

from broker import errors

log = logging.getLogger("mqttgate.api")

# Walked along the exception's class hierarchy: the most specific entry wins.
DOMAIN_ERRORS: dict[type[errors.GateError], tuple[int, str]] = {
    errors.ClientNotFound: (404, "CLIENTID_NOT_FOUND"),
    errors.NotFound: (404, "NOT_FOUND"),
    errors.InvalidRequest: (400, "BAD_REQUEST"),
    errors.AlreadyExists: (409, "ALREADY_EXISTS"),
    errors.BrokerUnavailable: (503, "SERVICE_UNAVAILABLE"),
    errors.GateError: (500, "INTERNAL_ERROR"),
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


def _one_line(text: str, limit: int = 300) -> str:
    # jsonschema appends the whole schema and instance after a blank line: keep the first line
    line = " ".join(str(text).strip().split("\n", 1)[0].split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def domain_error(request: ConnexionRequest, exc: errors.GateError) -> ConnexionResponse:
    for cls in type(exc).__mro__:
        if cls in DOMAIN_ERRORS:
            status, code = DOMAIN_ERRORS[cls]
            break
    if status >= 500:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(status, code, _one_line(exc.message))


def http_error(request: ConnexionRequest, exc: HTTPException) -> ConnexionResponse:
    status = exc.status_code
    detail = getattr(exc, "detail", None) or getattr(exc, "title", None) or "Request failed"
    if status == 401:
        detail = "Wrong API key or secret, or none given (HTTP Basic)"
    return error_response(status, HTTP_CODES.get(status, "BAD_REQUEST" if status < 500 else "INTERNAL_ERROR"),
                          _one_line(detail), getattr(exc, "headers", None))


def unexpected_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    if isinstance(exc, UnicodeDecodeError):
        return error_response(400, "BAD_REQUEST", "The request body is not valid UTF-8")
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(500, "INTERNAL_ERROR", "Internal error; the cause is in the server log")


def register(app: ConnexionMiddleware) -> None:
    app.add_error_handler(errors.GateError, domain_error)
    app.add_error_handler(ProblemException, http_error)
    app.add_error_handler(HTTPException, http_error)
    app.add_error_handler(Exception, unexpected_error)


class NamedParameterValidator(ParameterValidator):
    """connexion's parameter validator, with the parameter's name in the message."""

    @staticmethod
    def validate_parameter(parameter_type, value, param, param_name=None):
        error = ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        if error and not error.startswith("Missing"):
            return f"Invalid {parameter_type} parameter '{param['name']}': {_one_line(error)}"
        return error
