"""Concurrent calls for the same key share one call in progress (Go's singleflight)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Singleflight(Generic[T]):
    """Run `call` once per key at a time: callers that arrive while it runs await its result.

    Used for argon2 verifications: eight requests with the same not-yet-cached secret
    cost one hash check, not eight.
    """

    def __init__(self) -> None:
        self._flights: dict[Hashable, asyncio.Future[T]] = {}

    async def run(self, key: Hashable, call: Callable[[], Awaitable[T]]) -> T:
        flight = self._flights.get(key)
        if flight is None:
            flight = self._flights[key] = asyncio.ensure_future(self._fly(key, call))
        # shield: one waiter cancelled (a client gone) does not cancel the others' result
        return await asyncio.shield(flight)

    async def _fly(self, key: Hashable, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        finally:
            del self._flights[key]
