"""The broker port: what the API may ask of the broker, and the plain data it gets back.

Handlers depend on `BrokerAdapter` only; `amqtt_adapter.AmqttBrokerAdapter` implements it
on the embedded amqtt broker, and tests use a fake.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Literal, Protocol, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing.

    Attributes:
        items: the page's items, in a stable order.
        hasnext: whether a further page holds more.
        count: how many match in all; None where knowing it would need a full scan.
    """

    items: Sequence[T]
    hasnext: bool
    count: int | None = None


@dataclass(frozen=True)
class Client:
    """An MQTT client session as the broker knows it (EMQX field names)."""

    clientid: str
    username: str | None
    ip_address: str | None
    port: int | None
    listener: str | None
    connected: bool
    clean_start: bool
    keepalive: int
    created_at: datetime
    connected_at: datetime | None
    disconnected_at: datetime | None
    subscriptions_cnt: int
    inflight_cnt: int
    mqueue_len: int
    proto_name: str = "MQTT"
    proto_ver: int = 4
    # traffic of the current (or last) connection
    recv_msg: int = 0
    recv_oct: int = 0
    recv_pkt: int = 0
    send_msg: int = 0
    send_oct: int = 0
    send_pkt: int = 0
    mqueue_dropped: int = 0


@dataclass(frozen=True)
class ClientFilter:
    """Which clients a listing returns; empty fields do not filter.

    Attributes:
        clientid: exact client ids, any of.
        username: exact usernames, any of.
        like_clientid: substring of the client id.
        like_username: substring of the username.
        conn_state: `connected` or `disconnected`.
        ip_address: exact peer address.
    """

    clientid: Sequence[str] = field(default_factory=tuple)
    username: Sequence[str] = field(default_factory=tuple)
    like_clientid: str | None = None
    like_username: str | None = None
    conn_state: Literal["connected", "disconnected"] | None = None
    ip_address: str | None = None

    @property
    def is_empty(self) -> bool:
        return self == ClientFilter()


@dataclass(frozen=True)
class Listener:
    """An MQTT listener: its name, type, the address it is bound to, and its connections.

    Attributes:
        current_connections: open network connections, CONNECT not yet sent included.
        max_connections: the configured limit; 0 for none.
    """

    name: str
    type: str
    bind: str
    running: bool
    current_connections: int = 0
    max_connections: int = 0


@dataclass(frozen=True)
class BrokerStatus:
    """Health of the broker."""

    running: bool
    started_at: datetime | None
    listeners: Sequence[Listener]


class BrokerAdapter(Protocol):
    """The broker's domain verbs. Every method runs on the broker's event loop."""

    async def start(self) -> None:
        """Open the MQTT listeners.

        Raises:
            BrokerOwned: another process already runs a broker on this data_dir.
        """

    async def stop(self) -> None:
        """Close every connection and listener; bounded in time whatever the clients do."""

    def status(self) -> BrokerStatus:
        """Whether the broker runs, since when, and on which listeners."""

    def list_clients(self, where: ClientFilter, *, page: int, limit: int) -> Page[Client]:
        """One page of clients, connected and offline persistent sessions alike."""

    def get_client(self, clientid: str) -> Client:
        """One client.

        Raises:
            ClientNotFound: no session has this client id.
        """

    def stats(self) -> dict[str, int]:
        """Each gauge's value now and its highest since start, by EMQX name.

        `connections.count` and `connections.max`, then `live_connections`, `sessions`,
        `subscriptions`, `topics` and `retained` the same way (`broker.metrics.GAUGES`).
        Connections count sessions, offline persistent ones included, as EMQX does; live
        connections count connected clients.

        Raises:
            BrokerUnavailable: the broker is not running.
        """

    def metrics(self) -> dict[str, int]:
        """Every counter since the broker started, by EMQX name (`broker.metrics.METRICS`).

        Raises:
            BrokerUnavailable: the broker is not running.
        """

    async def kick_client(self, clientid: str) -> None:
        """Close the client's connection (its will is published) and discard its session.

        Raises:
            ClientNotFound: no session has this client id.
        """
