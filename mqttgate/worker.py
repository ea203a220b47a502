"""The gunicorn worker class for mqttgate: uvicorn's worker, on h11 with mqttgate's header limit.

`-k uvicorn_worker.UvicornWorker` picks httptools where it is installed, which reads
headers of any size (a 100 MB header was read for 20 s and answered 200). Use
`-k mqttgate.worker.MqttgateWorker`: h11, refusing a request line and headers over
`rest_api.max_header_size` (400 and the connection closed).

With a cluster configured, `-w N` runs N cluster nodes (see `mqttgate.runtime.serve_as_workers`).
"""

from __future__ import annotations

import os
from typing import Any

from uvicorn_worker import UvicornWorker

from mqttgate.app import uvicorn_options
from mqttgate.config import CONFIG_ENV, load_config
from mqttgate.runtime import serve_as_workers


class MqttgateWorker(UvicornWorker):
    CONFIG_KWARGS = {"loop": "auto", "http": "h11"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = uvicorn_options(load_config(os.environ.get(CONFIG_ENV)))
        self.config.h11_max_incomplete_event_size = options["h11_max_incomplete_event_size"]
        serve_as_workers(self.cfg.workers)
