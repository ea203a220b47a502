"""Where connexion's request parsing differs from the wire conventions, the fix."""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.uri_parsing import OpenAPIURIParser
from connexion.utils import is_null, is_nullable
from connexion.validators import (
    FormDataValidator,
    JSONRequestBodyValidator,
    MultiPartFormDataValidator,
    ParameterValidator,
)
from jsonschema import Draft4Validator, ValidationError
from starlette.types import Scope

from mqttgate.broker import topics
from mqttgate.broker.errors import InvalidTopic
from mqttgate.errors import one_line
from mqttgate.schema_check import Check, compile_check


class NamedParameterValidator(ParameterValidator):
    """connexion's parameter validator, with the parameter's name in a one-line message.

    connexion deep-copies the parameter's definition and builds a jsonschema validator of it
    for every value it checks; here each parameter's validator is built once (jsonschema does
    not change the schema it validates against).
    """

    @staticmethod
    def validate_parameter(parameter_type: str, value: Any, param: dict[str, Any], param_name: Any = None) -> Any:
        error = _validate_parameter(parameter_type, value, param)
        if error and not error.startswith("Missing"):
            message = f"Invalid {parameter_type} parameter '{param['name']}': {one_line(error)}"
            if "x-mqtt-topic" in param.get("schema", {}):
                problem = BadRequestProblem(detail=_topic_rule(param["schema"], value) or message)
                problem.ext = {"code": "BAD_TOPIC"}
                raise problem
            return message
        return error


# id of a parameter definition -> (the definition, kept so that its id stays its own; its validator, its check)
_PARAMETER_VALIDATORS: dict[int, tuple[dict[str, Any], Draft4Validator, Check | None]] = {}


def _validate_parameter(parameter_type: str, value: Any, param: dict[str, Any]) -> str | None:
    """connexion's ParameterValidator.validate_parameter, with the parameter's validator built once."""
    if is_nullable(param) and is_null(value):
        return None
    if value is not None:
        entry = _PARAMETER_VALIDATORS.get(id(param))
        if entry is None or entry[0] is not param:
            schema = param.get("schema", param)
            validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
            entry = _PARAMETER_VALIDATORS[id(param)] = (param, validator, compile_check(schema))
        if entry[2] is not None and entry[2](value):
            return None
        try:
            entry[1].validate(value)
        except ValidationError as exception:
            return str(exception)
        return None
    if param.get("required"):
        return f"Missing {parameter_type} parameter '{param['name']}'"
    return None


class RepeatedQueryParser(OpenAPIURIParser):
    """A repeated (exploded) query parameter is the list of its values, commas and all.

    connexion joins the values with commas and splits them again, so `?clientid=a,b`
    would become two client ids.
    """

    @staticmethod
    def _resolve_param_duplicates(values: list[str], param_defn: dict[str, Any], _in: str) -> Any:
        if _in == "query" and param_defn.get("style", "form") == "form" and param_defn.get("explode", True):
            return list(values)
        return OpenAPIURIParser._resolve_param_duplicates(values, param_defn, _in)

    @staticmethod
    def _split(value: Any, param_defn: dict[str, Any], _in: str) -> list[str]:
        return value if isinstance(value, list) else OpenAPIURIParser._split(value, param_defn, _in)


class JsonBodyValidator(JSONRequestBodyValidator):
    """connexion's JSON body validator with one-line messages that say where.

    A body that is not UTF-8 is a 400, and an invalid `topic` property is EMQX's BAD_TOPIC.
    """

    async def _parse(self, stream: AsyncGenerator[bytes, None], scope: Scope) -> Any:
        try:
            return await super()._parse(stream, scope)
        except UnicodeDecodeError:
            raise BadRequestProblem(detail="The request body is not valid UTF-8") from None
        except RecursionError:  # json.loads on a body nested ~1,000 deep
            raise BadRequestProblem(detail="The request body is nested too deep") from None
        except ValueError as exc:  # an integer of over 4,300 digits (Python's int_max_str_digits)
            raise BadRequestProblem(detail=f"The request body is not valid JSON: {one_line(str(exc))}") from None

    @functools.cached_property
    def _validator(self) -> Any:
        # connexion builds it again on every use; FastValidationOperation keeps this validator
        return super()._validator

    @functools.cached_property
    def _check(self) -> Check | None:
        return compile_check(self._schema)

    def _validate(self, body: Any) -> dict[str, Any] | None:
        if not self._nullable and body is None:
            raise BadRequestProblem(detail="Request body must not be empty")
        if body is not None and self._check is not None and self._check(body):
            return None  # valid: what jsonschema would find too, without its walk
        try:
            return self._validator.validate(body)
        except ValidationError as exc:
            path = list(exc.absolute_path)
            where = f" at {'.'.join(map(str, path))}" if path else ""
            if path and path[-1] == "topic":
                reason = TOPIC_RULES if exc.validator == "pattern" else one_line(exc.message)
                rule = _topic_rule(exc.schema, exc.instance)
                problem = BadRequestProblem(detail=f"{rule}{where}" if rule else
                                            f"Invalid topic {exc.instance!r}{where}: {reason}")
                problem.ext = {"code": "BAD_TOPIC"}
                raise problem from None
            raise BadRequestProblem(detail=f"{one_line(exc.message)}{where}") from None


TOPIC_RULES = "'+' and '#' stand only as whole levels, '#' only as the last, and no NUL"


def _topic_rule(schema: Any, value: Any) -> str | None:
    """The broker's own reason to refuse a topic the spec marks `x-mqtt-topic` (`name` to publish to, or `filter`)."""
    kind = schema.get("x-mqtt-topic") if isinstance(schema, dict) else None
    if kind is None or not isinstance(value, str):
        return None
    try:
        (topics.check_filter if kind == "filter" else topics.check_publish)(value)
    except InvalidTopic as exc:
        return exc.message
    return None


VALIDATORS = {
    "parameter": NamedParameterValidator,
    "body": MediaTypeDict({
        "*/*json": JsonBodyValidator,
        "application/x-www-form-urlencoded": FormDataValidator,
        "multipart/form-data": MultiPartFormDataValidator,
    }),
}
