"""Session takeover across the nodes of a cluster: a persistent session moves with its client.

amqtt knows one process; mqttgate's cross-node takeover (ClusterLink.claim) closed the
other node's connection and dropped its session there, so the subscriptions, the in-flight
window and the queued QoS 1/2 messages the broker had acknowledged were lost when a
persistent client (clean_session 0) reconnected to another node. Here, as EMQX does, the
node where the CONNECT lands takes the session over, in two steps:

1. `hold`: the node holding the session closes its connection (without the will) and
   keeps queueing for it; it answers with the subscriptions. The new node makes an offline
   session with them, so that it hears the session's topics (its NATS interest confirmed)
   before the holder stops hearing them.
2. `hand off`: the holder removes the session's subscriptions and copies its state
   (in-flight window with packet ids, queue, inbound QoS 2 ids) in one step of its event
   loop, so nothing routed there falls between the copy and the drop, then drops it (and
   its stored copy). The new node puts the in-flight window and the queue in front of
   what it queued itself meanwhile, leaving out what it has twice: a message has one msgid
   on every node (its NATS envelope carries it).

If the holder does not answer the second step, the CONNECT is closed without CONNACK and the
session stays where it was; the client connects again.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import datetime
from typing import Any

from amqtt.errors import AMQTTError
from amqtt.session import Session

from mqttgate.broker.amqtt.persistence import inflight_messages, queued_messages
from mqttgate.broker.amqtt.sessions import now, session_info
from mqttgate.broker.sessions_store import SessionMessage, StoredSession

log = logging.getLogger(__name__)

HANDOFF_DRAIN = 0.5  # seconds the holder waits for its broadcast queue to empty before the copy


class HandoffRules:
    """Broker mixin: a CONNECT with clean_session 0 takes its session from the node that holds it."""

    cluster: Any

    async def _resolve_session(self, incoming: Session) -> Session:
        if self.cluster is not None and not incoming.clean_session:
            await self._take_session(incoming)
        return await super()._resolve_session(incoming)  # type: ignore[misc]

    async def _take_session(self, incoming: Session) -> None:
        clientid = incoming.client_id
        held = await self.cluster.hold(clientid)
        if held is None:
            return
        holder, there = held
        local = self._sessions.get(clientid, (None, None))[0]
        if local is not None:
            # two copies (one made while the other's node was down): the one created last is
            # the client's session; the other is stale (SessionRules' claim then drops theirs)
            if local.clean_session is False and session_info(local).created_at > datetime.fromisoformat(
                    there["created_at"]):
                log.info("session of %r: the copy here is newer than %s's, kept", clientid, holder)
                return
            await self._cleanup_session(clientid)
        await self.restore_sessions([StoredSession(clientid, incoming.username, False, now(), now(),
                                                   subscriptions=dict(there["subscriptions"]))])
        try:
            state = await self.cluster.hand_off(holder, clientid)
        except Exception as exc:  # not answered in time (Missing), or failed there
            log.error("session of %r not handed over by %s (%s); it stays there and this CONNECT is closed",
                      clientid, holder, exc)
            await self._cleanup_session(clientid)  # the stand-in, and what it queued
            transport = session_info(incoming).transport
            if transport is not None:
                transport.close()
            raise AMQTTError(f"session of {clientid!r} not handed over by {holder}") from None
        if state is None:  # gone there meanwhile (expired, kicked): the stand-in starts empty
            return
        await self._adopt(self._sessions[clientid][0], from_plain(state))
        written = self.session_store.pending() if self.session_store is not None else None
        if written is not None and self.durability == "sync":
            await written  # CONNACK once what was handed over is on disk here
        log.info("session of %r taken over from %s", clientid, holder)

    async def _adopt(self, session: Session, record: StoredSession) -> None:
        """Make the stand-in `session` the handed-over one: its window and queue first, then what
        reached the stand-in meanwhile and not the holder."""
        info = session_info(session)
        for topic_filter, qos in record.subscriptions.items():  # made on the holder after step 1
            if info.subscriptions.get(topic_filter) != qos:
                await self.add_subscription((topic_filter, qos), session)
        known = {m.msgid for m in record.messages}
        tail = [m for m in queued_messages(session) if m.msgid not in known]
        while not session.retained_messages.empty():
            session.retained_messages.get_nowait()
        session.inflight_out.clear()
        for message in [*record.messages, *tail]:  # ids anew: increasing in the order kept here
            message.id = next(self._message_ids)
            if message.packet_id is None:
                session.retained_messages.put_nowait(message)
            else:
                session.inflight_out[message.packet_id] = message
                session._packet_id = max(session._packet_id, message.packet_id)
        info.created_at, info.superuser, info.incoming = record.created_at, record.superuser, set(record.incoming)
        info.mqueue_dropped = 0
        self.persist_session(session)

    async def hold_session(self, clientid: str) -> dict[str, Any] | None:
        """Step 1 on the holder: close the client's connection, keep its session queueing; its
        subscriptions and creation time, or None if no persistent session of that id is here."""
        session = self._sessions.get(clientid, (None, None))[0]
        if session is None or session.clean_session is not False:
            return None
        if session.transitions.state == "connected":
            await self.take_over(session)
        info = session_info(session)
        return {"subscriptions": dict(info.subscriptions), "created_at": info.created_at.isoformat()}

    async def hand_off_session(self, clientid: str) -> dict[str, Any] | None:
        """Step 2 on the holder: the session's whole state, and it is dropped here."""
        session = self._sessions.get(clientid, (None, None))[0]
        if session is None or session.clean_session is not False:
            return None
        if session.transitions.state == "connected":  # it connected here again in between
            await self.take_over(session)
        await self._routed_so_far()
        session = self._sessions.get(clientid, (None, None))[0]
        if session is None or session.clean_session is not False:
            return None
        # no await from here to the drop: routing runs on this loop, so a message is either
        # in the copy or routed after the subscriptions are gone (and reaches the new node)
        info = session_info(session)
        for topic_filter in list(info.subscriptions):
            self._del_subscription(topic_filter, session)
        state = to_plain(session)
        await self._cleanup_session(clientid)  # and its stored copy
        return state


    async def _routed_so_far(self) -> None:
        """Let the broadcast loop route what reached this node before the handoff, so that it is
        in the copy (it may not reach the new node: published before it subscribed)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + HANDOFF_DRAIN
        while not self._broadcast_queue.empty() and loop.time() < deadline:  # noqa: ASYNC110 (asyncio.Queue has no event for "empty")
            await asyncio.sleep(0.001)
        for _ in range(3):  # the message the loop took last is routed within its next turns
            await asyncio.sleep(0)


def to_plain(session: Session) -> dict[str, Any]:
    """A persistent session's state as JSON values."""
    info = session_info(session)
    return {
        "clientid": session.client_id, "username": session.username, "superuser": info.superuser,
        "created_at": info.created_at.isoformat(),
        "subscriptions": dict(info.subscriptions), "incoming": sorted(info.incoming),
        "messages": [_message(m) for m in [*inflight_messages(session), *queued_messages(session)]],
    }


def from_plain(values: dict[str, Any]) -> StoredSession:
    return StoredSession(
        values["clientid"], values["username"], values["superuser"], datetime.fromisoformat(values["created_at"]),
        None, subscriptions=values["subscriptions"], incoming=values["incoming"],
        messages=[SessionMessage(0, m["topic"], base64.b64decode(m["payload"]), m["qos"], m["retain"], m["msgid"],
                                 datetime.fromisoformat(m["publish_at"]), m["from_clientid"], m["from_username"],
                                 m["packet_id"], m["pubrel"]) for m in values["messages"]])


def _message(message: SessionMessage) -> dict[str, Any]:
    return {"topic": message.topic, "payload": base64.b64encode(message.payload).decode(), "qos": message.qos,
            "retain": message.retain, "msgid": message.msgid, "publish_at": message.publish_at.isoformat(),
            "from_clientid": message.from_clientid, "from_username": message.from_username,
            "packet_id": message.packet_id, "pubrel": message.pubrel}
