"""The publish path: one route for MQTT and API publishes, QoS kept, subscriptions replaced."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from typing import Any

from amqtt.contexts import Action
from amqtt.mqtt.disconnect import DisconnectPacket
from amqtt.session import Session

from mqttgate.broker.amqtt.sessions import new_msgid, session_info
from mqttgate.broker.cluster.link import ClusterLink

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Routed:
    """A publish handed to the broadcast loop.

    Attributes:
        reached: how many subscriptions it was routed to, once the loop has routed it.
        stored: done once its retained change is on disk; None if not retained.
    """

    reached: asyncio.Future[int]
    stored: asyncio.Future[None] | None



class Routing:
    """Broker mixin: route what clients and the API publish, and keep each session's subscriptions."""

    cluster: ClusterLink | None  # None on a single node: nothing more to do

    async def _handle_message_delivery(self, session: Session, handler: Any, wait_deliver: asyncio.Future[Any]) -> bool:
        # what breaks the rules was refused, and the connection closed, as it was read (framing.check_packet)
        message = wait_deliver.result()
        if message is not None:
            await self._route_received(session, message)
        return True

    async def _handle_disconnect(self, session: Session, handler: Any, disconnect_waiter: asyncio.Future[Any]) -> None:
        # amqtt hands a will straight to the broadcast loop, past the ACL: here it takes the
        # one publish path, as that client's PUBLISH would (its topic and size were checked
        # at CONNECT, framing.check_connect).
        if session.will_flag and not isinstance(disconnect_waiter.result(), DisconnectPacket):
            session.will_flag = False  # amqtt would publish it again
            await self.route_publish(session, session.will_topic, session.will_message or b"", session.will_qos or 0,
                                     retain=bool(session.will_retain))
        await super()._handle_disconnect(session, handler, disconnect_waiter)

    async def _route_received(self, session: Session, message: Any) -> None:
        """Route one PUBLISH received from an MQTT client (its topic and size checked as it was read)."""
        retain = bool(message.publish_packet and message.publish_packet.retain_flag)
        routed = await self.route_publish(session, message.topic, message.data, message.qos or 0, retain=retain)
        self._received(message, routed)

    def _received(self, message: Any, routed: Routed | None) -> None:
        """A client's PUBLISH was routed (None: the ACL refused it); PersistenceRules acknowledges on it."""

    async def route_publish(self, session: Session, topic: str, data: bytes | bytearray, qos: int, *, retain: bool,
                            authorized: bool = False, msgid: str | None = None) -> Routed | None:
        """Route one publish from `session`: the one path of MQTT clients and API publishers.

        Unlike amqtt, the publish QoS travels with the message, so that a subscriber gets
        min(publish QoS, subscription QoS) and a QoS 0 publish is never upgraded.

        Args:
            authorized: the caller has already asked the ACL for this session and topic.
            msgid: the message's id, kept with it if retained; None makes one.

        Returns:
            None if the ACL refuses it; else what became of it.
        """
        self.trace("PUBLISH in", session, topic, data, qos)
        if not authorized and not await self._topic_filtering(session, topic=topic, action=Action.PUBLISH):
            log.info("%s may not publish to %r; dropped", session.client_id, topic)
            return None
        reached = asyncio.get_running_loop().create_future()
        msgid = msgid or new_msgid()  # one id for every copy kept: each offline session's and the retained one
        broadcast = {"session": session, "topic": topic, "data": data, "qos": qos, "reached": reached, "msgid": msgid}
        await self._broadcast_queue.put(broadcast)
        if self.cluster is not None:
            await self.cluster.forward(topic, data, qos, msgid)
        stored = await self.retain_message(session, topic, data, qos, msgid=msgid) if retain else None
        return Routed(reached, stored)

    def deliver_remote(self, topic: str, data: bytes, qos: int, msgid: str | None = None) -> None:
        """Route a message another node of the cluster published: to this node's subscribers only."""
        self._broadcast_queue.put_nowait({"session": self._remote_publisher, "topic": topic, "data": data, "qos": qos,
                                          "msgid": msgid})

    @functools.cached_property
    def _remote_publisher(self) -> Session:
        session = Session()
        session.client_id = "$cluster"
        return session

    async def _run_broadcast(self, running_tasks: Any) -> None:
        broadcast = await self._broadcast_queue.get()
        reached = 0
        try:
            reached = await self._deliver(broadcast, running_tasks)
        finally:
            waiter = broadcast.get("reached")  # an API publish waits to know
            if waiter is not None and not waiter.done():
                waiter.set_result(reached)

    async def _deliver(self, broadcast: dict[str, Any], running_tasks: Any) -> int:
        """Hand one message to every subscription it matches; how many it reached."""
        topic, publish_qos = broadcast["topic"], broadcast.get("qos")
        matched = reached = 0
        for _, subscriptions in self._subscriptions.matching(topic):
            if not subscriptions:
                continue
            matched += len(subscriptions)
            for target, sub_qos in list(subscriptions):
                qos = sub_qos if publish_qos is None else min(publish_qos, sub_qos)
                if not await self._topic_filtering(target, topic=topic, action=Action.RECEIVE):
                    continue
                if target.transitions.state != "connected":
                    # queued for an offline persistent session, QoS 1 and 2 only [MQTT-3.1.2-5]
                    if not target.clean_session and qos > 0:
                        await self._retain_broadcast_message(broadcast, qos, target)
                        reached += 1
                    else:
                        self._not_queued(target)
                    continue
                handler = self._get_handler(target)
                if handler is not None:
                    self.trace("PUBLISH out", target, topic, broadcast["data"], qos)
                    # written at once where that keeps the order; else a task, as amqtt runs each
                    send = handler.mqtt_publish(topic, broadcast["data"], qos, retain=False, broadcast=broadcast,
                                                now=True)
                    if send is not None:
                        running_tasks.append(handler.send_later(send))
                    reached += 1
        self._routed(matched)
        return reached

    async def add_subscription(self, subscription: tuple[str, int], session: Session) -> int:
        # amqtt keeps the first QoS when a client subscribes again to the same filter;
        # MQTT 3.1.1 §3.8.4 says the new subscription replaces it.
        if subscription[0] in session_info(session).subscriptions:
            self._del_subscription(subscription[0], session)
        granted = await super().add_subscription(subscription, session)
        if granted != 0x80:
            session_info(session).subscriptions[subscription[0]] = granted
            if self.cluster is not None and len(self._subscriptions[subscription[0]]) == 1:
                await self.cluster.interest_added(subscription[0])
        self.trace("SUBSCRIBE", session, subscription[0], qos=granted)
        return granted

    async def _del_all_subscriptions(self, session: Session) -> None:
        # amqtt tries the session against every filter any client holds: O(filters) for each
        # session that ends, O(clients x filters) at shutdown (10,000 clients: minutes, the
        # bench/clients_list.py run that never ended). The session's own filters are in its Info.
        subscriptions = self._subscriptions
        for a_filter in list(session_info(session).subscriptions):
            if self._del_subscription(a_filter, session) and a_filter in subscriptions and not subscriptions[a_filter]:
                del subscriptions[a_filter]  # as amqtt's drops a filter left without subscriptions

    def _del_subscription(self, a_filter: str, session: Session) -> int:
        # Not traced here: the cleanup of a clean session comes this way too, and the trace
        # recorded it as an UNSUBSCRIBE the client never sent.
        deleted = super()._del_subscription(a_filter, session)
        if deleted:
            session_info(session).subscriptions.pop(a_filter, None)
            if self.cluster is not None and not self._subscriptions.get(a_filter):
                self.cluster.interest_removed(a_filter)
        return deleted

    async def _handle_unsubscription(self, session: Session, handler: Any, unsubscribe_waiter: Any) -> None:
        for a_filter in unsubscribe_waiter.result().topics:
            if a_filter in session_info(session).subscriptions:
                self.trace("UNSUBSCRIBE", session, a_filter)
        await super()._handle_unsubscription(session, handler, unsubscribe_waiter)
