"""The broker port: what the API may ask of the broker, and the plain data it gets back.

Handlers depend on `BrokerAdapter` only; `amqtt.AmqttBrokerAdapter` implements it
on the embedded amqtt broker, and tests use a fake.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

if TYPE_CHECKING:
    from mqttgate.broker.sessions_store import SessionMessage

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing.

    Attributes:
        items: the page's items, in a stable order.
        hasnext: whether a further page holds more.
        count: how many match in all; None where knowing it would need a full scan.
        missing_nodes: in a cluster, the nodes that did not answer in time: the page lacks
            what they hold.
    """

    items: Sequence[T]
    hasnext: bool
    count: int | None = None
    missing_nodes: Sequence[str] = ()


@dataclass(frozen=True)
class Chunk(Generic[T]):
    """A chunk of a volatile listing read by position (a session's queue or in-flight window).

    Attributes:
        items: in order; each has an `id` that later chunks start after.
        hasnext: whether more follow the last item.
    """

    items: Sequence[T]
    hasnext: bool


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
    mqueue_max: int
    mqueue_dropped: int
    expiry_interval: int
    proto_name: str = "MQTT"
    proto_ver: int = 4
    # traffic of the current (or last) connection
    recv_msg: int = 0
    recv_oct: int = 0
    recv_pkt: int = 0
    send_msg: int = 0
    send_oct: int = 0
    send_pkt: int = 0
    node: str | None = None  # in a cluster, the node that holds it; None: this one


@dataclass(frozen=True)
class Subscription:
    """A client's subscription to a topic filter."""

    clientid: str
    topic: str
    qos: int
    node: str | None = None  # in a cluster, the node that holds it; None: this one


@dataclass(frozen=True)
class SubscriptionFilter:
    """Which subscriptions a listing returns; empty fields do not filter.

    Attributes:
        clientid: the subscriber.
        topic: the exact topic filter.
        qos: the granted QoS.
        match_topic: a topic name the filter must match (wildcards considered).
        node: the node that holds the subscription (in a cluster).
    """

    clientid: str | None = None
    topic: str | None = None
    qos: int | None = None
    match_topic: str | None = None
    node: str | None = None


@dataclass(frozen=True)
class Route:
    """An active topic filter and the clients subscribed to it.

    Attributes:
        node: in a cluster, a node that holds it (this one if it does); None: this one.
        missing_nodes: in a cluster, the nodes that did not answer in time: `subscribers` lacks theirs.
    """

    topic: str
    subscribers: Sequence[Subscription]
    node: str | None = None
    missing_nodes: Sequence[str] = ()


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
        clean_start: the CONNECT's clean session flag.
        proto_ver: the MQTT protocol level (4 is 3.1.1).
        gte_created_at, lte_created_at: bounds (inclusive) of the session's creation time.
        gte_connected_at, lte_connected_at: bounds (inclusive) of the last CONNECT's time.
        node: the node that holds the client (in a cluster).
    """

    clientid: Sequence[str] = field(default_factory=tuple)
    username: Sequence[str] = field(default_factory=tuple)
    like_clientid: str | None = None
    like_username: str | None = None
    conn_state: Literal["connected", "disconnected"] | None = None
    ip_address: str | None = None
    clean_start: bool | None = None
    proto_ver: int | None = None
    gte_created_at: datetime | None = None
    lte_created_at: datetime | None = None
    gte_connected_at: datetime | None = None
    lte_connected_at: datetime | None = None
    node: str | None = None

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


@dataclass(frozen=True)
class Publish:
    """A message to publish over the API.

    Attributes:
        topic: the topic name (no wildcards).
        payload: the payload, already decoded from its wire encoding.
        qos: 0, 1 or 2.
        retain: keep it as the topic's retained message (an empty payload deletes that).
    """

    topic: str
    payload: bytes
    qos: int = 0
    retain: bool = False


@dataclass(frozen=True)
class Published:
    """What became of one published message.

    Attributes:
        id: the message's id.
        subscribers: how many subscriptions it was routed to (queued for offline
            persistent sessions included); 0 when none matched.
    """

    id: str
    subscribers: int


@dataclass(frozen=True)
class RetainedMessage:
    """A retained message and where it came from (EMQX retainer field names).

    Attributes:
        topic: the topic it is retained on.
        payload: its payload, never empty.
        qos: the QoS it was published with.
        msgid: its id (the id `publish` answered, for messages published over the API).
        publish_at: when it was published.
        from_clientid: the publisher's client id (the API key's name over the API).
        from_username: the publisher's username (the API key's name over the API).
    """

    topic: str
    payload: bytes
    qos: int
    msgid: str
    publish_at: datetime
    from_clientid: str | None
    from_username: str | None


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

    def reload_tls(self) -> list[str]:
        """Load the certificate and key files of the TLS listeners again, for the handshakes to come
        (open connections stay); the names of the listeners reloaded.

        Raises:
            OSError, ssl.SSLError: a file is missing or holds no matching certificate and key.
        """

    def list_clients(self, where: ClientFilter, *, page: int, limit: int) -> Page[Client]:
        """One page of clients, connected and offline persistent sessions alike."""

    def list_client_rows(self, where: ClientFilter, *, page: int, limit: int) -> Page[dict[str, Any]]:
        """The page `list_clients` gives, each client as a dict of `Client`'s fields in their order.

        What the API lists with: a dict per session costs a fifth of a frozen dataclass. Each
        row is a new dict, the caller's to change.
        """

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

    async def kick_clients(self, clientids: Sequence[str]) -> None:
        """Kick every listed client that exists; unknown ids are passed over."""

    def client_subscriptions(self, clientid: str) -> Sequence[Subscription]:
        """The client's subscriptions, in the order made.

        Raises:
            ClientNotFound: no session has this client id.
        """

    async def subscribe(self, clientid: str, requests: Sequence[tuple[str, int]]) -> Sequence[Subscription]:
        """Subscribe the client as if it had sent SUBSCRIBE (ACL applies, retained messages follow).

        All or nothing: every filter is checked and authorized before any is added.

        Raises:
            ClientNotFound: no session has this client id.
            InvalidTopic: a filter is not a valid MQTT topic filter.
            NotAuthorized: the ACL refuses a filter.
        """

    async def unsubscribe(self, clientid: str, topics: Sequence[str]) -> None:
        """Remove the client's subscriptions to these filters (absent ones are passed over).

        Raises:
            ClientNotFound: no session has this client id.
            InvalidTopic: a filter is not a valid MQTT topic filter.
        """

    def list_subscriptions(self, where: SubscriptionFilter, *, page: int, limit: int) -> Page[Subscription]:
        """One page of all subscriptions, by topic filter then subscriber."""

    def list_routes(self, *, matching: str | None = None, node: str | None = None, page: int,
                    limit: int) -> Page[Route]:
        """One page of the active topic filters; with `matching`, those that match that topic name; with
        `node`, those of that node (in a cluster)."""

    def get_route(self, topic: str) -> Route:
        """One active topic filter.

        Raises:
            TopicNotFound: no client is subscribed to this filter.
        """

    async def publish(self, messages: Sequence[Publish], *, publisher: str) -> list[Published]:
        """Publish messages in order as `publisher`, like an MQTT client of that client id and username.

        All or nothing: every message is checked (topic, payload size, ACL) before any is
        published. A retained one is on disk before this returns.

        Raises:
            InvalidTopic: a topic is not one a message may be published to.
            InvalidRequest: a payload is over the configured maximum size.
            NotAuthorized: the ACL does not let `publisher` publish to a topic.
        """

    def mqueue_messages(self, clientid: str, *, after: int | None, limit: int) -> Chunk[SessionMessage]:
        """Up to `limit` messages of the client's offline queue, oldest first, after message id `after`.

        Raises:
            ClientNotFound: no session has this client id.
        """

    def inflight_messages(self, clientid: str, *, after: int | None, limit: int) -> Chunk[SessionMessage]:
        """Up to `limit` of the client's in-flight messages (sent, not acknowledged), in the order sent.

        Raises:
            ClientNotFound: no session has this client id.
        """

    def sessions_count(self, since: datetime | None = None) -> int:
        """Sessions now held: connected, and offline persistent ones (with `since`, those
        disconnected before it are left out)."""

    def list_retained(self, topic_filter: str | None, *, page: int, limit: int) -> Page[RetainedMessage]:
        """One page of retained messages, all or those matching an MQTT topic filter.

        Raises:
            InvalidTopic: `topic_filter` is not a valid MQTT topic filter.
        """

    def get_retained(self, topic: str) -> RetainedMessage:
        """The retained message of one topic.

        Raises:
            RetainedNotFound: no message is retained on this topic.
        """

    async def delete_retained(self, topic: str) -> None:
        """Delete the retained message of one topic, on disk before this returns.

        Raises:
            RetainedNotFound: no message is retained on this topic.
        """

    async def clear_retained(self, topic_filter: str | None) -> int:
        """Delete every retained message, or those matching an MQTT topic filter; how many.

        Raises:
            InvalidTopic: `topic_filter` is not a valid MQTT topic filter.
        """
