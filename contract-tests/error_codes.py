"""The contract's hold on error codes: every error answer's `code` is one its response lists.

The spec gives clients one `Error` model; each shared error response names the codes it may
carry in `x-error-codes`. schemathesis checks the shape; this checks the code.
"""

from __future__ import annotations

from typing import Any


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for key in node["$ref"].removeprefix("#/").split("/"):
            target = target[key]
        node = target
    return node


def code_violation(spec: dict[str, Any], path: str, method: str, status: int, body: Any) -> str | None:
    """Why an answer breaks its operation's listed error codes, or None when it keeps them.

    Args:
        spec: the OpenAPI document.
        path: the operation's path template, as in `paths` (`/clients/{clientid}`).
        method: the HTTP method.
        status: the answer's status; below 400 nothing is checked.
        body: the answer's JSON body.
    """
    if status < 400:
        return None
    operation = spec["paths"].get(path, {}).get(method.lower())
    if operation is None:
        return None  # a method the path does not have (schemathesis sends TRACE, ...): 405 is checked elsewhere
    responses = operation["responses"]
    documented = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
    if documented is None:
        return None  # an undocumented status is schemathesis's status_code_conformance to report
    response = resolve(spec, documented)
    codes = response.get("x-error-codes")
    if not codes:
        return f"{method.upper()} {path} {status}: the response lists no x-error-codes"
    code = body.get("code") if isinstance(body, dict) else None
    if code not in codes:
        return f"{method.upper()} {path} {status}: code {code!r} is not one of {codes}"
    return None
