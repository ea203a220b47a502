"""The broker: amqtt's `Broker` with mqttgate's rules, one mixin per concern.

amqtt's own flow has faults (see DESIGN.md); each mixin overrides the steps that carry
them, and each override says which fault it closes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from amqtt.broker import Broker
from amqtt.contexts import BrokerConfig
from amqtt.session import Session

from mqttgate.broker.access import Access
from mqttgate.broker.amqtt.access import AccessRules
from mqttgate.broker.amqtt.fastpath import FastPaths
from mqttgate.broker.amqtt.framing import PUBLISH_OVERHEAD
from mqttgate.broker.amqtt.handoff import HandoffRules
from mqttgate.broker.amqtt.listeners import ListenerRules
from mqttgate.broker.amqtt.persistence import Durability, DurableHandler, PersistenceRules
from mqttgate.broker.amqtt.protocol import ProtocolRules
from mqttgate.broker.amqtt.retained import RetainedRules
from mqttgate.broker.amqtt.route_table import RouteTable
from mqttgate.broker.amqtt.routing import Routing
from mqttgate.broker.amqtt.sessions import SessionRules
from mqttgate.broker.amqtt.tls import TlsRules
from mqttgate.broker.cluster.link import ClusterLink
from mqttgate.broker.metrics import Metrics
from mqttgate.broker.retained import RetainedStore
from mqttgate.broker.sessions_store import SessionStore
from mqttgate.broker.traces import Tracer


class GateBroker(HandoffRules, PersistenceRules, ProtocolRules, FastPaths, SessionRules, AccessRules, RetainedRules,
                 Routing, TlsRules, ListenerRules, Broker):
    handler_class = DurableHandler

    def __init__(self, config: BrokerConfig, *, allow_anonymous: bool, connect_timeout: float,
                 max_mqueue_len: int, max_payload_size: int, retained_store: RetainedStore,
                 tracer: Tracer | None, access: Access | None = None, max_packet_size: int = 0,
                 session_store: SessionStore | None = None, durability: Durability = "memory",
                 cluster: ClusterLink | None = None, reuse_port: bool = False) -> None:
        super().__init__(config)
        self.cluster = cluster
        self.reuse_port = reuse_port
        self.session_store = session_store
        self.durability = durability if session_store is not None else "memory"
        self.allow_anonymous = allow_anonymous
        self.connect_timeout = connect_timeout
        self.max_mqueue_len = max_mqueue_len
        self.max_payload_size = max_payload_size
        self.max_packet_size = max_packet_size or max_payload_size + PUBLISH_OVERHEAD
        self.retained_store = retained_store
        self.tracer = tracer
        self.access = access
        self.transports: set[asyncio.BaseTransport] = set()
        self.metrics = Metrics()  # CountingBroker bumps them
        self._subscriptions = RouteTable()  # amqtt's dict, its filters indexed (route_table.py)

    def trace(self, event: str, session: Session, topic: str | None = None, payload: Any = None,
              qos: int | None = None) -> None:
        if self.tracer is not None:
            self.tracer.record(event, session.client_id, session.remote_address, topic, payload, qos)

    # Where CountingBroker counts; without counters there is nothing to do.
    def _plugins_for(self, writer: Any) -> Any:
        """The plugin manager the handler of a new connection reports its packets to."""
        return self.plugins_manager

    def _publish_refused(self, handler: Any, frame: Any) -> None:
        """A PUBLISH was refused before amqtt decoded it (framing.check_packet); its connection closes."""

    def _routed(self, subscriptions: int) -> None:
        """A published message matched `subscriptions` subscriptions (0: it is dropped)."""

    def _not_queued(self, session: Session) -> None:
        """A message for offline `session` is dropped: QoS 0, or a clean session."""

