"""schemathesis hooks of the contract run (loaded through SCHEMATHESIS_HOOKS).

schemathesis learns API key names from GET /api_key, and sooner or later deletes,
disables or demotes the very key it authenticates with; every later request would then be
a 401 or 403 that tests nothing. So before such a call the hook makes a new administrator
key, lets the call act on the old key as sent (a key may delete or disable itself), and
authenticates every later call with the new key instead, the way an operator rotates a
key. The key in use is written to CONTRACT_KEY_FILE for the test to check.

The check `error_code_listed` holds every error answer to the codes its response lists.
"""

from __future__ import annotations

import base64
import os
from itertools import count

import httpx
import schemathesis
import yaml
from error_codes import code_violation

from mqttgate.app import SPEC_DIR

BASE_URL = os.environ["CONTRACT_BASE_URL"]
KEY_FILE = os.environ["CONTRACT_KEY_FILE"]
_SENT = "Basic " + base64.b64encode(os.environ["CONTRACT_CREDENTIALS"].encode()).decode()  # what --auth sends
_current = {"name": os.environ["CONTRACT_CREDENTIALS"].split(":", 1)[0], "authorization": _SENT}
_names = (f"contract-rotated-{n}" for n in count(1))
_SPEC = yaml.safe_load((SPEC_DIR / "openapi.yaml").read_text(encoding="utf-8"))


@schemathesis.check
def error_code_listed(ctx, response, case) -> None:
    """Every error answer's `code` is one of the `x-error-codes` its response lists."""
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError:
        body = None
    violation = code_violation(_SPEC, case.operation.path, case.method, response.status_code, body)
    if violation:
        raise AssertionError(violation)


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    headers = case.headers if case.headers is not None else {}
    if headers.get("Authorization") != _SENT:
        return  # no credentials, or deliberately wrong ones: leave them
    headers["Authorization"] = _current["authorization"]
    if (case.operation.path == "/api_key/{name}" and case.method.upper() in ("PUT", "DELETE")
            and (case.path_parameters or {}).get("name") == _current["name"]):
        _rotate()  # this call still goes out with the old key


def _rotate() -> None:
    name = next(_names)
    created = httpx.post(f"{BASE_URL}/api_key", json={"name": name, "role": "administrator"},
                         headers={"Authorization": _current["authorization"]}, timeout=60)
    created.raise_for_status()
    key = created.json()
    authorization = "Basic " + base64.b64encode(f"{key['api_key']}:{key['api_secret']}".encode()).decode()
    _current["next"] = {"name": name, "authorization": authorization}


@schemathesis.hook
def after_call(context, case, response) -> None:
    rotated = _current.pop("next", None)
    if rotated is not None:
        _current.update(rotated)
        with open(KEY_FILE, "w", encoding="utf-8") as file:
            file.write(rotated["authorization"])
