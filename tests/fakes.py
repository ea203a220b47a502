"""A fake broker adapter and an app around it, for fast unit tests of handlers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from argon2 import PasswordHasher

from mqttgate.broker.adapter import (
    BrokerStatus,
    Client,
    ClientFilter,
    Listener,
    Page,
    Publish,
    Published,
    RetainedMessage,
)
from mqttgate.broker.errors import BrokerUnavailable, ClientNotFound, RetainedNotFound
from mqttgate.broker.metrics import GAUGES, METRICS

T0 = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


def make_client(clientid: str, **fields: Any) -> Client:
    base = Client(clientid=clientid, username=None, ip_address="127.0.0.1", port=50000, listener="tcp:default",
                  connected=True, clean_start=True, keepalive=60, created_at=T0, connected_at=T0,
                  disconnected_at=None, subscriptions_cnt=0, inflight_cnt=0, mqueue_len=0, mqueue_max=1000,
                  mqueue_dropped=0, expiry_interval=0)
    return replace(base, **fields)


class FakeBroker:
    """In-memory `BrokerAdapter`: clients in a dict, in insertion order."""

    def __init__(self, *clients: Client, running: bool = True) -> None:
        self.clients = {c.clientid: c for c in clients}
        self.running = running
        self.kicked: list[str] = []
        self.fail_with: Exception | None = None
        self.published: list[tuple[str, list[Publish]]] = []
        self.subscribers: dict[str, int] = {}
        self.retained: dict[str, RetainedMessage] = {}

    async def start(self) -> None:
        self.running = True

    async def stop(self) -> None:
        self.running = False

    def status(self) -> BrokerStatus:
        listeners = [Listener("default", "tcp", "127.0.0.1:1883", True)] if self.running else []
        return BrokerStatus(running=self.running, started_at=T0 if self.running else None, listeners=listeners)

    def list_clients(self, where: ClientFilter, *, page: int, limit: int) -> Page[Client]:
        if self.fail_with:
            raise self.fail_with
        found = [c for c in self.clients.values()
                 if (not where.clientid or c.clientid in where.clientid)
                 and (not where.like_clientid or where.like_clientid in c.clientid)]
        chunk = list(islice(found, (page - 1) * limit, page * limit + 1))
        return Page(chunk[:limit], hasnext=len(chunk) > limit, count=len(found))

    def list_client_rows(self, where: ClientFilter, *, page: int, limit: int) -> Page[dict[str, Any]]:
        found = self.list_clients(where, page=page, limit=limit)
        return Page([dict(vars(c)) for c in found.items], hasnext=found.hasnext, count=found.count)

    def get_client(self, clientid: str) -> Client:
        if clientid not in self.clients:
            raise ClientNotFound(clientid)
        return self.clients[clientid]

    def stats(self) -> dict[str, int]:
        if not self.running:
            raise BrokerUnavailable()
        connected = sum(c.connected for c in self.clients.values())
        current = {"connections": len(self.clients), "live_connections": connected, "sessions": len(self.clients),
                   "subscriptions": sum(c.subscriptions_cnt for c in self.clients.values()), "topics": 0, "retained": 0}
        return {f"{g}.{kind}": current[g] for g in GAUGES for kind in ("count", "max")}

    def metrics(self) -> dict[str, int]:
        if not self.running:
            raise BrokerUnavailable()
        return {name: n for n, name in enumerate(METRICS)}

    async def kick_client(self, clientid: str) -> None:
        self.get_client(clientid)
        self.kicked.append(clientid)
        del self.clients[clientid]

    async def publish(self, messages: list[Publish], *, publisher: str) -> list[Published]:
        """Records what it is given; `subscribers` says how many each topic reaches (default 1)."""
        if self.fail_with:
            raise self.fail_with
        self.published.append((publisher, list(messages)))
        return [Published(id=f"id-{n}", subscribers=self.subscribers.get(m.topic, 1)) for n, m in enumerate(messages)]

    def list_retained(self, topic_filter: str | None, *, page: int, limit: int) -> Page[RetainedMessage]:
        found = [m for m in self.retained.values() if topic_filter in (None, "#", m.topic)]
        chunk = found[(page - 1) * limit:page * limit + 1]
        return Page(chunk[:limit], hasnext=len(chunk) > limit, count=None if topic_filter else len(found))

    def get_retained(self, topic: str) -> RetainedMessage:
        if topic not in self.retained:
            raise RetainedNotFound(topic)
        return self.retained[topic]

    async def delete_retained(self, topic: str) -> None:
        self.get_retained(topic)
        del self.retained[topic]

    async def clear_retained(self, topic_filter: str | None) -> int:
        doomed = [m.topic for m in self.list_retained(topic_filter, page=1, limit=10**6).items]
        for topic in doomed:
            del self.retained[topic]
        return len(doomed)


class FakeApiKeys:
    """Accepts exactly one key and secret."""

    def __init__(self, key: str = "key", secret: str = "secret") -> None:
        self.pair = (key, secret)

    async def verify(self, key: str, secret: str) -> Any:
        return _Key() if (key, secret) == self.pair else None


class _Key:
    name = "key"
    role = "administrator"


class WithState:
    """The API app with `state` filled by a fake lifespan instead of the real runtime."""

    def __init__(self, api: Any, **state: Any) -> None:
        self.api = api
        self.state = state

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()  # startup
            scope.setdefault("state", {}).update(self.state)
            await send({"type": "lifespan.startup.complete"})
            await receive()  # shutdown
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.api(scope, receive, send)


class CountingHasher(PasswordHasher):
    """A cheap argon2 hasher that counts its verifications (to see what a cache saves)."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024)
        self.verifications = 0

    def verify(self, hash, password):
        self.verifications += 1
        return super().verify(hash, password)
