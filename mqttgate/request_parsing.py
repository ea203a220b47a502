"""Where connexion's request parsing differs from the wire conventions, the fix."""

from __future__ import annotations

from typing import Any

from connexion.uri_parsing import OpenAPIURIParser
from connexion.validators import ParameterValidator

from mqttgate.errors import one_line


class NamedParameterValidator(ParameterValidator):
    """connexion's parameter validator, with the parameter's name in a one-line message."""

    @staticmethod
    def validate_parameter(parameter_type: str, value: Any, param: dict[str, Any], param_name: Any = None) -> Any:
        error = ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        if error and not error.startswith("Missing"):
            return f"Invalid {parameter_type} parameter '{param['name']}': {one_line(error)}"
        return error


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
