"""Where connexion's request parsing differs from the wire conventions, the fix."""

from __future__ import annotations

from typing import Any

from connexion.exceptions import BadRequestProblem
from connexion.uri_parsing import OpenAPIURIParser
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator

from broker.errors import InvalidTopic
from broker.topics import check_topic_filter, check_topic_name
from mqttgate.errors import one_line


class NamedParameterValidator(ParameterValidator):
    """connexion's parameter validator, with the parameter's name in a one-line message."""

    @staticmethod
    def validate_parameter(parameter_type: str, value: Any, param: dict[str, Any], param_name: Any = None) -> Any:
        error = ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        if error and not error.startswith("Missing"):
            _raise_if_topic(param.get("schema"), value, error)
            return f"Invalid {parameter_type} parameter '{param['name']}': {one_line(error)}"
        return error


class TopicBodyValidator(JSONRequestBodyValidator):
    """connexion's JSON body validator, answering 400 BAD_TOPIC for a topic the spec refuses."""

    def _validate(self, body: Any) -> dict[str, Any] | None:
        try:
            return super()._validate(body)
        except BadRequestProblem:
            for error in self._validator.iter_errors(body):
                _raise_if_topic(error.schema, error.instance, error.message)
            raise


def _raise_if_topic(schema: Any, value: Any, error: str) -> None:
    """A value the spec marks `x-mqtt-topic` (name or filter) is refused as InvalidTopic, with the reason."""
    kind = schema.get("x-mqtt-topic") if isinstance(schema, dict) else None
    if kind is None or not isinstance(value, str):
        return
    (check_topic_filter if kind == "filter" else check_topic_name)(value)
    raise InvalidTopic(f"Invalid topic {value[:60]!r}: {one_line(error)}")


VALIDATORS = {
    "parameter": NamedParameterValidator,
    "body": VALIDATOR_MAP["body"].__class__({**VALIDATOR_MAP["body"], "*/*json": TopicBodyValidator}),
}


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
