"""This process as one node of the cluster: its NATS connection, routing, takeover, heartbeats and requests.

Routing is interest-based: the node subscribes on NATS to the subjects of the filters its
own sessions hold (`filter_subjects`), and publishes every message routed here to the
subject of its topic. The connection is `no_echo`, so a node never hears back what it
published; its own subscribers had it from the local route.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import nats
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BadRequestError

from mqttgate.broker import errors
from mqttgate.broker.cluster.subjects import (
    envelope,
    filter_subjects,
    node_token,
    open_envelope,
    subject_topic,
    topic_subject,
)

log = logging.getLogger(__name__)

RPC = "mqttgate.rpc"  # + the node's token: requests to one node
NODES_BUCKET = "mqttgate_nodes"
_NO_PEERS = 10005  # JetStream: no suitable peers for placement
_SEEN = 4096  # message ids remembered per generation, to deliver a message once despite overlapping filters

Answer = Callable[[str, dict[str, Any]], Awaitable[Any]]


class Missing(Exception):
    """Nodes that did not answer in time."""

    def __init__(self, nodes: list[str]) -> None:
        super().__init__(", ".join(nodes))
        self.nodes = nodes


class ClusterNode:
    """This node's membership of the cluster.

    Args:
        node: this node's name, unique in the cluster.
        servers: NATS server URLs.
        user, password, token: NATS credentials, if the servers ask for them.
        replicas: JetStream replicas of the buckets this node creates.
        request_timeout: seconds to wait for another node's answer.
        heartbeat_interval: seconds between heartbeats; silent for three, a node is gone.
    """

    def __init__(self, node: str, servers: list[str], *, user: str | None = None, password: str | None = None,
                 token: str | None = None, replicas: int = 1, request_timeout: float = 2.0,
                 heartbeat_interval: float = 1.0) -> None:
        self.name = node
        self._servers = servers
        self._credentials = {k: v for k, v in (("user", user), ("password", password), ("token", token)) if v}
        self.replicas = replicas
        self.request_timeout = request_timeout
        self.heartbeat_interval = heartbeat_interval
        self._id = os.urandom(8)
        self._seq = 0
        self._seen: set[bytes] = set()
        self._seen_before: set[bytes] = set()
        self._nc: Any = None
        self.js: Any = None
        self._subs: dict[str, list[Any]] = {}  # topic filter -> its NATS subscriptions
        self._subscribing: dict[str, asyncio.Future[None]] = {}
        self._wanted: set[str] = set()
        self._reconcile: asyncio.TimerHandle | None = None
        self._deliver: Callable[[str, bytes, int, str], None] | None = None
        self._answer: Answer | None = None
        self._nodes: dict[str, dict[str, Any]] = {}  # live nodes' last heartbeats
        self._tasks: set[asyncio.Task[Any]] = set()
        self._watcher: Any = None
        self._nodes_kv: Any = None
        self.started_at = time.time()
        self.forwarded = self.received = self.lost = 0

    # -- lifecycle --------------------------------------------------------------------

    async def start(self, deliver: Callable[[str, bytes, int, str], None], answer: Answer) -> None:
        """Connect, answer requests, and beat.

        Args:
            deliver: routes a message another node published to this node's subscribers.
            answer: answers another node's request (an operation name and its arguments).

        Raises:
            BrokerUnavailable: no NATS server could be reached.
        """
        self._deliver, self._answer = deliver, answer
        try:
            self._nc = await nats.connect(
                self._servers, name=self.name, no_echo=True, max_reconnect_attempts=-1, reconnect_time_wait=0.5,
                connect_timeout=2, allow_reconnect=True, error_cb=self._on_error,
                disconnected_cb=self._on_disconnected, reconnected_cb=self._on_reconnected, **self._credentials,
            )
        except Exception as exc:  # nats raises several kinds; none leaves a usable connection
            raise errors.BrokerUnavailable(f"cluster: cannot reach NATS at {', '.join(self._servers)}: {exc}") from None
        self.js = self._nc.jetstream(timeout=max(self.request_timeout, 5.0))
        await self._nc.subscribe(f"{RPC}.{node_token(self.name)}", cb=self._on_request)
        self._nodes_kv = await self.bucket(NODES_BUCKET, ttl=max(10.0, 5 * self.heartbeat_interval))
        self._watcher = await self._nodes_kv.watchall()
        known = asyncio.Event()
        self._spawn(self._watch_nodes(known))
        await self._beat()
        try:  # the nodes already there, before any client connects here (takeover asks them)
            await asyncio.wait_for(known.wait(), self.request_timeout)
        except TimeoutError:
            log.warning("cluster: the live nodes are not known yet")
        self._spawn(self._heartbeats())

    async def stop(self) -> None:
        """Leave the cluster: other nodes drop this one at once."""
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        if self._nc is None:
            return
        try:
            await asyncio.wait_for(self._watcher.stop(), 2)
            await asyncio.wait_for(self._nodes_kv.delete(self._key(self.name)), 2)
        except Exception as exc:  # leaving anyway: the heartbeat times out on the other nodes
            log.info("cluster: could not say goodbye: %s", exc)
        try:
            await asyncio.wait_for(self._nc.drain(), 3)
        except Exception:
            await self._nc.close()
        self._nc = None

    async def bucket(self, name: str, *, ttl: float | None = None, history: int = 1) -> Any:
        """The JetStream KV bucket `name`, made if it is not there yet."""
        config = KeyValueConfig(bucket=name, ttl=ttl, history=history, replicas=self.replicas,
                                storage=StorageType.FILE)
        deadline = time.monotonic() + 15
        while True:
            try:
                return await self.js.create_key_value(config=config)
            except NatsTimeout:  # placing a replicated bucket can outlast one request on a busy cluster
                if time.monotonic() < deadline:
                    continue
                raise errors.BrokerUnavailable(f"cluster: JetStream did not make bucket {name} in time") from None
            except BadRequestError as exc:
                if exc.err_code == _NO_PEERS and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)  # JetStream's cluster is still forming
                    continue
                if exc.err_code != _NO_PEERS:  # made already, by another node, perhaps with other settings
                    return await self.js.key_value(name)
                raise errors.BrokerUnavailable(f"cluster: JetStream cannot place bucket {name}: {exc.description}"
                                               ) from None

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _on_error(self, exc: Exception) -> None:
        log.warning("cluster: NATS: %s", exc)

    async def _on_disconnected(self) -> None:
        if self._tasks:  # not while leaving
            log.warning("cluster: disconnected from NATS; reconnecting")

    async def _on_reconnected(self) -> None:
        log.info("cluster: reconnected to NATS at %s", self._nc.connected_url.netloc if self._nc else "?")

    # -- routing ------------------------------------------------------------------------

    async def forward(self, topic: str, data: bytes | bytearray, qos: int, msgid: str | None = None) -> None:
        """Send a message routed on this node to the other nodes whose subscriptions want it.

        A msgid of 32 hex digits (broker/amqtt/sessions.new_msgid: a process prefix and a
        counter) is the envelope's id, so that every node keeps the message under one msgid.
        """
        try:
            origin, seq = bytes.fromhex(msgid[:16]), int(msgid[16:], 16)  # type: ignore[index]
            if len(origin) != 8 or len(msgid) != 32:  # type: ignore[arg-type]
                raise ValueError(msgid)
        except (TypeError, ValueError):
            self._seq += 1
            origin, seq = self._id, self._seq
        try:
            await self._nc.publish(topic_subject(topic), envelope(qos, origin, seq, data))
            self.forwarded += 1
        except Exception as exc:  # disconnected past the reconnect buffer: the other nodes miss it
            self.lost += 1
            log.warning("cluster: message to %r not forwarded: %s", topic, exc)

    async def interest_added(self, topic_filter: str) -> None:
        """This node now holds a subscription to `topic_filter`: hear its messages from the other nodes.

        Returns once the NATS server has the subscription, so that a SUBACK means the
        filter is in force cluster-wide.
        """
        self._wanted.add(topic_filter)
        if topic_filter in self._subs:
            return
        pending = self._subscribing.get(topic_filter)
        if pending is not None:
            await asyncio.shield(pending)
            return
        done = self._subscribing[topic_filter] = asyncio.get_running_loop().create_future()
        try:
            self._subs[topic_filter] = [await self._nc.subscribe(subject, cb=self._on_message, pending_msgs_limit=-1,
                                                                 pending_bytes_limit=-1)
                                        for subject in filter_subjects(topic_filter)]
            await self._nc.flush(self.request_timeout)
        except Exception as exc:  # kept: nats-py subscribes again on reconnect
            log.warning("cluster: subscription to %r not confirmed by NATS: %s", topic_filter, exc)
        finally:
            del self._subscribing[topic_filter]
            done.set_result(None)
        if topic_filter not in self._wanted:
            self._schedule_reconcile()

    def interest_removed(self, topic_filter: str) -> None:
        """This node holds no subscription to `topic_filter` any more.

        Unsubscribing waits a moment: a client that subscribes again to the same filter
        (which replaces its subscription) keeps hearing it without a gap.
        """
        self._wanted.discard(topic_filter)
        self._schedule_reconcile()

    def _schedule_reconcile(self) -> None:
        if self._reconcile is None:
            self._reconcile = asyncio.get_running_loop().call_later(0.05, self._start_reconcile)

    def _start_reconcile(self) -> None:
        self._reconcile = None
        self._spawn(self._unsubscribe_unwanted())

    async def _unsubscribe_unwanted(self) -> None:
        for topic_filter in [f for f in self._subs if f not in self._wanted]:
            for sub in self._subs.pop(topic_filter):
                try:
                    await sub.unsubscribe()
                except Exception as exc:
                    log.info("cluster: unsubscribing %r: %s", topic_filter, exc)

    async def _on_message(self, msg: Any) -> None:
        qos, message_id, payload = open_envelope(msg.data)
        if message_id in self._seen or message_id in self._seen_before:
            return  # heard on two of this node's subscriptions
        self._seen.add(message_id)
        if len(self._seen) >= _SEEN:
            self._seen_before, self._seen = self._seen, set()
        self.received += 1
        if self._deliver is not None:
            self._deliver(subject_topic(msg.subject), payload, qos, message_id.hex().upper())

    # -- takeover -------------------------------------------------------------------------

    async def claim(self, clientid: str) -> None:
        """A client connects here: close its connection (and session) on any other node first."""
        others = [node for node in self.live_nodes() if node != self.name]
        if others:
            _, missing = await self.ask_all(others, "release", {"clientid": clientid})
            if missing:
                log.warning("cluster: %s did not confirm releasing %r", ", ".join(missing), clientid)

    async def hold(self, clientid: str) -> tuple[str, dict[str, Any]] | None:
        """A persistent session connects here: the node holding it closes its connection and keeps
        it; (that node, the session's subscriptions and created_at), or None if no other node holds one."""
        others = [node for node in self.live_nodes() if node != self.name]
        if not others:
            return None
        answers, missing = await self.ask_all(others, "hold", {"clientid": clientid})
        if missing:
            log.warning("cluster: %s did not say whether it holds the session of %r", ", ".join(missing), clientid)
        return next(((node, answers[node]) for node in others if answers.get(node) is not None), None)

    async def hand_off(self, node: str, clientid: str) -> dict[str, Any] | None:
        """`node` hands the session of `clientid` over and drops it (raises Missing if it does not answer)."""
        return await self.ask(node, "handoff", {"clientid": clientid})

    # -- requests between nodes -----------------------------------------------------------

    async def ask(self, node: str, op: str, args: dict[str, Any]) -> Any:
        """Ask `node` to run `op`; its result, or the error it raised.

        Raises:
            Missing: the node did not answer in time.
            GateError: what the node raised (ClientNotFound, ...).
        """
        if node == self.name:
            return await self._answer(op, args)
        try:
            reply = await self._nc.request(f"{RPC}.{node_token(node)}", json.dumps({"op": op, "args": args}).encode(),
                                           timeout=self.request_timeout)
        except (TimeoutError, NatsTimeout, NoRespondersError):
            raise Missing([node]) from None
        except Exception as exc:  # not connected
            log.warning("cluster: asking %s: %s", node, exc)
            raise Missing([node]) from None
        answer = json.loads(reply.data)
        if "error" in answer:
            raise _error(answer["error"], answer.get("message"), answer.get("args"))
        return answer["ok"]

    async def ask_all(self, nodes: list[str], op: str, args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Ask every node in `nodes` at once: ({node: result}, the nodes that did not answer).

        A node that raised a GateError is left out of the results, not counted missing.
        """
        outcomes = await asyncio.gather(*(self.ask(node, op, args) for node in nodes), return_exceptions=True)
        results: dict[str, Any] = {}
        missing: list[str] = []
        for node, outcome in zip(nodes, outcomes, strict=True):
            if isinstance(outcome, Missing):
                missing.append(node)
            elif isinstance(outcome, errors.GateError):
                continue
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                results[node] = outcome
        return results, missing

    async def _on_request(self, msg: Any) -> None:
        try:
            request = json.loads(msg.data)
            body: dict[str, Any] = {"ok": await self._answer(request["op"], request.get("args") or {})}
        except errors.GateError as exc:
            body = {"error": type(exc).__name__, "message": exc.message, "args": list(exc.args[1:])}
        except Exception as exc:
            log.exception("cluster: answering a request failed")
            body = {"error": "GateError", "message": f"node {self.name} failed: {exc}"}
        if msg.reply:
            try:
                await msg.respond(json.dumps(body, default=str).encode())
            except Exception as exc:
                log.info("cluster: could not answer: %s", exc)

    # -- nodes ------------------------------------------------------------------------------

    def live_nodes(self) -> list[str]:
        """The names of the nodes heard from lately, this one included, sorted: a node is gone once
        silent for three of its own heartbeat intervals (nodes may beat at different rates)."""
        now = time.time()
        alive = {name for name, beat in self._nodes.items()
                 if beat.get("at", 0) >= now - 3 * beat.get("interval", self.heartbeat_interval) - 0.5}
        alive.add(self.name)
        return sorted(alive)

    async def _beat(self) -> None:
        beat = {"node": self.name, "started_at": self.started_at, "at": time.time(),
                "interval": self.heartbeat_interval}
        self._nodes[self.name] = beat
        await self._nodes_kv.put(self._key(self.name), json.dumps(beat).encode())

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            try:
                await self._beat()
            except Exception as exc:
                log.warning("cluster: heartbeat not stored: %s", exc)

    async def _watch_nodes(self, known: asyncio.Event) -> None:
        async for entry in self._watcher:  # ends when the watcher is stopped
            if entry is None:  # the bucket's content so far is in
                known.set()
                continue
            try:
                name = bytes.fromhex(entry.key).decode()
                if entry.operation in ("DEL", "PURGE") or not entry.value:
                    self._nodes.pop(name, None)
                else:
                    self._nodes[name] = json.loads(entry.value)
            except ValueError:
                log.warning("cluster: heartbeat %r unreadable", entry.key)
            if entry.delta == 0:
                known.set()

    @staticmethod
    def _key(name: str) -> str:
        return name.encode().hex()  # node names hold characters KV keys may not ('@')


def _error(name: str, message: str | None, args: list[Any] | None) -> errors.GateError:
    kind = getattr(errors, name, None)
    if not (isinstance(kind, type) and issubclass(kind, errors.GateError)):
        kind = errors.GateError
    error = kind.__new__(kind)
    errors.GateError.__init__(error, message)
    return error
