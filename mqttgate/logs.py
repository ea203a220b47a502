"""Logging of `mqttgate serve`: text or JSON lines, to stderr or a file, and the level reloadable."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from mqttgate.config import Config

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# amqtt logs every connection at INFO, and transitions every state change
CHATTY = ("amqtt", "transitions")
# what a LogRecord carries by itself; anything else came as `extra` and goes into the JSON line
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName",
                                                                           "color_message"}  # uvicorn's


class JsonLines(logging.Formatter):
    """One JSON object per line: time (RFC 3339, UTC), level, logger, msg, and the record's `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage(),
        }
        line.update({key: value for key, value in vars(record).items() if key not in _STANDARD})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure(config: Config) -> None:
    """Send the root logger's records where `config.log` says, in its format, at `config.log_level`."""
    handler: logging.Handler = (logging.FileHandler(config.log.file, encoding="utf-8") if config.log.file
                                else logging.StreamHandler(sys.stderr))
    handler.setFormatter(JsonLines() if config.log.format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    set_level(config.log_level)


def set_level(level: str) -> None:
    """The root level, amqtt's chatty loggers kept at WARNING unless debugging."""
    logging.getLogger().setLevel(level.upper())
    for chatty in CHATTY:
        logging.getLogger(chatty).setLevel(logging.NOTSET if level == "debug" else logging.WARNING)
