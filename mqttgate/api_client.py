"""A thin client of the REST API whose calls are named by the spec's operationIds (the CLI's transport).

The operations, their methods and paths are read from the spec this package serves, so the client
follows the spec as it changes: `client.call("kick_client", clientid="c1")`. Once a client generated
from the spec is part of the project, the CLI can move onto it call for call.
"""

from __future__ import annotations

import ssl
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

import httpx
import yaml

from mqttgate import __version__

USER_AGENT = f"mqttgate-cli/{__version__}"  # the audit log marks changes made with it as `from: cli`


@cache
def operations() -> dict[str, tuple[str, str]]:
    """operationId -> (HTTP method, path template), from the spec."""
    spec = yaml.safe_load(resources.files("mqttgate.spec").joinpath("openapi.yaml").read_text(encoding="utf-8"))
    return {operation["operationId"]: (method.upper(), path)
            for path, methods in spec["paths"].items() for method, operation in methods.items()
            if isinstance(operation, dict) and "operationId" in operation}


class ApiError(Exception):
    """The API answered with an error: its status, and EMQX's code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message = status, code, message


class ApiClient:
    """Calls to one mqttgate's REST API.

    Args:
        base_url: e.g. `https://127.0.0.1:8888/api/v5`.
        credentials: (API key, secret).
        verify: httpx's `verify`: True, False, or an `ssl.SSLContext` (a CA file, a client certificate).
    """

    def __init__(self, base_url: str, credentials: tuple[str, str] | None,
                 verify: bool | ssl.SSLContext = True, timeout: float = 30.0) -> None:
        self.http = httpx.Client(base_url=base_url.rstrip("/"), auth=credentials, verify=verify, timeout=timeout,
                                 headers={"User-Agent": USER_AGENT})

    def call(self, operation_id: str, *, query: dict[str, Any] | None = None, body: Any = None,
             files: Any = None, raw: bool = False, **path: str) -> Any:
        """Run one operation; its JSON answer (None for 204; bytes with `raw`).

        Raises:
            ApiError: an error answer.
            httpx.HTTPError: the server cannot be reached.
        """
        method, template = operations()[operation_id]
        url = template.format(**{name: quote(str(value), safe="") for name, value in path.items()})
        params = {key: value for key, value in (query or {}).items() if value is not None}
        response = self.http.request(method, url, params=params, json=body, files=files)
        if response.status_code >= 400:
            try:
                error = response.json()
                raise ApiError(response.status_code, error["code"], error["message"])
            except (ValueError, KeyError, TypeError):
                raise ApiError(response.status_code, "HTTP_ERROR", response.text[:200]) from None
        if raw:
            return response.content
        return None if response.status_code == 204 or not response.content else response.json()

    def close(self) -> None:
        self.http.close()
