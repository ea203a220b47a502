"""schemathesis hooks of the contract run (loaded through SCHEMATHESIS_HOOKS).

schemathesis learns API key names from GET /api_key and would, sooner or later, delete,
disable or demote the very key it authenticates with; every later request would then be
a 401 or 403 that tests nothing. Such a call is sent to a spare administrator key the
fixture made instead, so that it still changes or deletes a real key.
"""

from __future__ import annotations

import os

import schemathesis

OWN_KEY = os.environ["CONTRACT_OWN_KEY"]
SPARE_KEY = os.environ["CONTRACT_SPARE_KEY"]


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    if (case.operation.path == "/api_key/{name}" and case.method.upper() in ("PUT", "DELETE")
            and (case.path_parameters or {}).get("name") == OWN_KEY):
        case.path_parameters["name"] = SPARE_KEY
