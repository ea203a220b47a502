"""Alarms (EMQX's): raised by a condition, deactivated when it clears, the deactivated kept until cleared."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from mqttgate.broker.adapter import Page

log = logging.getLogger("mqttgate.alarms")


@dataclass(frozen=True)
class Alarm:
    """One alarm: active until `deactivate_at` is set."""

    name: str
    message: str
    node: str
    activate_at: datetime
    details: dict[str, Any] = field(default_factory=dict)
    deactivate_at: datetime | None = None

    @property
    def activated(self) -> bool:
        return self.deactivate_at is None

    def duration_ms(self, now: datetime) -> int:
        return int(((self.deactivate_at or now) - self.activate_at).total_seconds() * 1000)


class Alarms:
    """The alarms of this node, in memory (a condition is checked again after a restart).

    Args:
        node: this node's name.
        size_limit: deactivated alarms kept; past it the oldest are forgotten.
    """

    def __init__(self, node: str, *, size_limit: int = 1000) -> None:
        self.node, self.size_limit = node, size_limit
        self._active: dict[str, Alarm] = {}
        self._deactivated: OrderedDict[int, Alarm] = OrderedDict()
        self._serial = 0

    def activate(self, name: str, message: str, details: dict[str, Any] | None = None) -> None:
        """Raise `name`; raised already, its message and details are brought up to date."""
        active = self._active.get(name)
        if active is not None:
            self._active[name] = replace(active, message=message, details=details or {})
            return
        self._active[name] = Alarm(name, message, self.node, datetime.now(UTC), details or {})
        log.warning("alarm raised: %s: %s", name, message)

    def deactivate(self, name: str) -> None:
        """Clear `name` if raised; it moves to the deactivated alarms."""
        alarm = self._active.pop(name, None)
        if alarm is None:
            return
        self._serial += 1
        self._deactivated[self._serial] = replace(alarm, deactivate_at=datetime.now(UTC))
        while len(self._deactivated) > self.size_limit:
            self._deactivated.popitem(last=False)
        log.info("alarm cleared: %s", name)

    def deactivate_matching(self, prefix: str, keep: set[str]) -> None:
        """Clear every alarm named `prefix...` but those in `keep`."""
        for name in [n for n in self._active if n.startswith(prefix) and n not in keep]:
            self.deactivate(name)

    def list(self, *, activated: bool | None, page: int, limit: int) -> Page[Alarm]:
        """Active alarms first (newest first), then deactivated ones (newest first)."""
        chosen: list[Alarm] = []
        if activated is not False:
            chosen += sorted(self._active.values(), key=lambda a: a.activate_at, reverse=True)
        if activated is not True:
            chosen += list(reversed(self._deactivated.values()))
        start = (page - 1) * limit
        return Page(chosen[start:start + limit], hasnext=start + limit < len(chosen), count=len(chosen))

    def clear_deactivated(self) -> None:
        self._deactivated.clear()
