"""GET /alarms, DELETE /alarms: the alarms of the node (EMQX)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mqttgate.broker.ops.alarms import Alarm
from mqttgate.handlers._shape import page_body
from mqttgate.handlers._time import rfc3339, rfc3339_or_infinity
from mqttgate.handlers.monitor import ops


async def list_alarms(*, activated: bool | None = None, page: int = 1, limit: int = 100):
    """Active alarms first, then deactivated ones, each newest first."""
    now = datetime.now(UTC)
    return page_body(ops().alarms.list(activated=activated, page=page, limit=limit), page=page, limit=limit,
                     shape=lambda alarm: _alarm(alarm, now))


async def clear_deactivated_alarms():
    """Forget the deactivated alarms."""
    ops().alarms.clear_deactivated()
    return None, 204


def _alarm(alarm: Alarm, now: datetime) -> dict[str, Any]:
    return {"node": alarm.node, "name": alarm.name, "message": alarm.message, "details": alarm.details,
            "duration": alarm.duration_ms(now), "activate_at": rfc3339(alarm.activate_at),
            "deactivate_at": rfc3339_or_infinity(alarm.deactivate_at), "activated": alarm.activated}
