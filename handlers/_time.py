"""Times on the wire: RFC 3339, and `infinity` for never (no connexion here: the CLI uses it too)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from mqttgate.broker.errors import InvalidRequest


def rfc3339(moment: datetime) -> str:
    # a page of clients formats the same connect times on every request: a lookup costs a
    # hundredth of isoformat. UTC times only: equal times of other offsets format otherwise.
    if moment.tzinfo is not UTC:
        return moment.isoformat(timespec="milliseconds")
    text = _FORMATTED.get(moment)
    if text is None:
        if len(_FORMATTED) >= _FORMATTED_MAX:
            _FORMATTED.clear()
        text = _FORMATTED[moment] = moment.isoformat(timespec="milliseconds")
    return text


_FORMATTED: dict[datetime, str] = {}
_FORMATTED_MAX = 100_000


def rfc3339_or_infinity(moment: datetime | None) -> str:
    return "infinity" if moment is None else rfc3339(moment)


_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
                      r"([Zz]|([+-])(\d{2}):(\d{2}))", re.ASCII)


def parse_time_or_infinity(value: str | None, name: str) -> datetime | None:
    """An RFC 3339 time from the wire, in UTC; None for a missing value or `infinity`.

    Raises:
        InvalidRequest: not an RFC 3339 time, naming the field.
    """
    if value is None or value == "infinity":
        return None
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise InvalidRequest(f"{name}: expected an RFC 3339 time (e.g. 2030-01-01T00:00:00Z) or infinity, "
                             f"got {value!r}")
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    micro = int(((match[7] or "") + "000000")[:6])
    try:
        offset = UTC if match[9] is None else timezone(
            (1 if match[9] == "+" else -1) * timedelta(hours=int(match[10]), minutes=int(match[11])))
        local = datetime(year, month, day, hour, minute, min(second, 59), micro, tzinfo=offset)  # 60: leap second
    except ValueError as exc:
        raise InvalidRequest(f"{name}: {value!r} is not a valid time: {exc}") from None
    try:
        return local.astimezone(UTC)
    except OverflowError:  # within a day of year 1 or 9999
        return (datetime.min if local.year == 1 else datetime.max).replace(tzinfo=UTC)
