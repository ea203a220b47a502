"""GET /error_codes: the catalogue of the error codes the API answers with (EMQX /error_codes)."""

from __future__ import annotations

from mqttgate.broker.errors import NotFound
from mqttgate.errors import ERROR_CODES


async def list_error_codes():
    """Every error code and what it means."""
    return [{"name": name, "description": description} for name, description in ERROR_CODES.items()]


async def get_error_code(*, code: str):
    """One error code by name."""
    if code not in ERROR_CODES:
        raise NotFound("No such error code")
    return {"name": code, "description": ERROR_CODES[code]}
