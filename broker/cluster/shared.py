"""State every node shares, in JetStream key-value buckets; each node's SQLite store is its local copy.

A change made on a node (API, CLI or MQTT) goes to its store as on one node, and to the
bucket; every node watches the bucket and applies what the others changed to its own
store and memory, within the moment NATS takes to tell it. When a node joins, the bucket
is the truth: its store is made equal to it. A bucket that is still empty is filled from
the store of the first node that joins (so an existing single node becomes a cluster with
its state). After a backup is restored on a node, that node makes the buckets equal to its
store (`Replica.push`), so the restore holds for the cluster.

The bucket orders every change of a key; each node ends with the bucket's last value, a
node's own change seen back is not applied again, and another node's change seen while one
of this node's is still on its way was made before it and is passed over (see `Replica`).

Shared: retained messages (`SharedRetained`), bans (`SharedBans`), and, one record per key
(`SharedRegistry`), API keys, MQTT users, ACL rules and trace definitions. Secrets are in
the records only as their argon2 hashes; the caches of checked secrets are tied to the
stored hash, so a changed or deleted key or password is refused at once. Trace logs are
not shared: each node records what passes through it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import KeyDeletedError, KeyNotFoundError, NoStreamResponseError, ServiceUnavailableError

from mqttgate.broker.adapter import RetainedMessage
from mqttgate.broker.banned import Ban, Bans
from mqttgate.broker.cluster.node import ClusterNode, Missing
from mqttgate.broker.errors import TraceNotFound
from mqttgate.broker.retained import RetainedStore
from mqttgate.broker.traces import Tracer

log = logging.getLogger(__name__)

FAILOVER = 10.0  # seconds a write waits for a bucket's stream to have a leader again (a NATS server lost)
_LEADERLESS = (NoStreamResponseError, ServiceUnavailableError, NoRespondersError, NatsTimeout)


def _key(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode()


def _text(key: str) -> str:
    return base64.urlsafe_b64decode(key).decode("utf-8", "surrogatepass")


class Replica:
    """One bucket and this node's copy of it.

    Subclasses say what the local copy holds (`local`) and how to apply a change to it.
    """

    bucket_name: str

    def __init__(self, node: ClusterNode) -> None:
        self.node = node
        self._kv: Any = None
        self._watcher: Any = None
        self._writes: asyncio.Queue[tuple[str, str, bytes, asyncio.Future[None]]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[Any]] = []
        # The bucket orders the changes of a key by revision, and every node must end with the last.
        # This node applies its own changes at once, so a change heard from the bucket is applied only
        # if it comes after this node's last own write of the key (`_acked`, its revision); while a
        # write is on its way (`_inflight`), what is heard waits (`_deferred`) until the write's
        # revision tells whether it came before (passed over) or after (applied). Revisions, not
        # counts of echoes: a watcher that falls behind skips the entries a later one replaced.
        self._inflight: dict[str, int] = {}
        self._acked: dict[str, int] = {}
        self._deferred: dict[str, Any] = {}
        self.after_join: Callable[[], Awaitable[None] | None] | None = None

    def local(self) -> dict[str, bytes]:
        """This node's copy: key -> value as the bucket holds it."""
        raise NotImplementedError

    def apply_put(self, key: str, value: dict[str, Any]) -> Awaitable[Any] | None:
        """Apply a change made on another node; what to wait for until it is stored, if anything."""
        raise NotImplementedError

    def apply_delete(self, key: str) -> Awaitable[Any] | None:
        raise NotImplementedError

    async def join(self) -> None:
        """Make this node's copy equal to the bucket (or fill an empty bucket from it), then follow it."""
        self._kv = await self.node.bucket(self.bucket_name, history=1)
        self._watcher = await self._kv.watchall()
        shared = await _content_so_far(self._watcher)
        mine = self.local()
        if not shared:
            for key, value in mine.items():
                await self._kv.put(key, value)
            log.info("cluster: bucket %s filled from this node's %d", self.bucket_name, len(mine))
        else:
            writes = [self.apply_delete(key) for key in mine.keys() - shared.keys()]
            writes += [self.apply_put(key, json.loads(value)) for key, value in shared.items()
                       if key not in mine or _content(mine[key]) != _content(value)]
            await asyncio.gather(*(w for w in writes if w is not None))
        self._tasks = [asyncio.ensure_future(self._follow()), asyncio.ensure_future(self._write())]
        if self.after_join is not None:  # e.g. the bootstrap API keys: on top of the cluster's
            result = self.after_join()
            if result is not None:
                await result

    async def push(self) -> None:
        """Make the bucket equal to this node's copy (after a backup was restored here)."""
        watcher = await self._kv.watchall()
        try:
            shared = await _content_so_far(watcher)
        finally:
            await watcher.stop()
        mine = self.local()
        writes = [self.delete(key) for key in shared.keys() - mine.keys()]
        writes += [self._submit("put", key, value) for key, value in mine.items()
                   if key not in shared or _content(shared[key]) != _content(value)]
        for write in writes:
            await write

    async def leave(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._watcher is not None:
            try:
                await asyncio.wait_for(self._watcher.stop(), 2)
            except Exception as exc:
                log.info("cluster: stopping the %s watcher: %s", self.bucket_name, exc)

    def put(self, key: str, value: dict[str, Any]) -> asyncio.Future[None]:
        """Share a change made here; done once the bucket has it."""
        return self._submit("put", key, json.dumps({**value, "origin": self.node.name}).encode())

    def delete(self, key: str) -> asyncio.Future[None]:
        return self._submit("delete", key, b"")

    def _submit(self, op: str, key: str, value: bytes) -> asyncio.Future[None]:
        self._inflight[key] = self._inflight.get(key, 0) + 1
        done = asyncio.get_running_loop().create_future()
        done.add_done_callback(lambda future: future.cancelled() or future.exception())
        self._writes.put_nowait((op, key, value, done))
        return done

    async def _write(self) -> None:
        # one writer, so that the bucket sees this node's changes of a key in their order
        while True:
            op, key, value, done = await self._writes.get()
            try:
                revision = await self._store(op, key, value)
            except Exception as exc:
                log.warning("cluster: %s %s in bucket %s failed: %s", op, key, self.bucket_name, exc)
                if self._written(key, None):
                    await self._restore(key)
                done.set_exception(exc)
                continue
            self._written(key, revision)
            done.set_result(None)

    async def _store(self, op: str, key: str, value: bytes) -> int:
        """Write to the bucket; its revision. A stream whose leader was on a NATS server that is
        gone answers nothing until JetStream elects another (seconds): the write waits for it."""
        deadline = asyncio.get_running_loop().time() + FAILOVER
        while True:
            try:
                if op == "put":
                    return await self._kv.put(key, value)
                # KeyValue.delete does not tell the revision: the KV protocol's delete marker does
                return (await self.node.js.publish(f"$KV.{self.bucket_name}.{key}", b"",
                                                   headers={"KV-Operation": "DEL"})).seq
            except _LEADERLESS:
                if asyncio.get_running_loop().time() >= deadline:
                    raise
                await asyncio.sleep(0.25)

    def _written(self, key: str, revision: int | None) -> bool:
        """One of this node's writes of `key` is in the bucket at `revision` (None: it failed).

        Returns whether this node is to go back to what the bucket holds (its last write failed).
        """
        if revision is not None:
            self._acked[key] = max(self._acked.get(key, 0), revision)
        pending = self._inflight.pop(key, 1) - 1
        if pending:
            self._inflight[key] = pending
            return False
        deferred = self._deferred.pop(key, None)
        if revision is None:
            return True
        if deferred is not None:
            try:
                self._take(deferred)
            except Exception:
                log.exception("cluster: applying a change of bucket %s failed", self.bucket_name)
        return False

    def _take(self, entry: Any) -> None:
        """Apply a change heard from the bucket, unless this node's own write came after it (or is it)."""
        acked = self._acked.pop(entry.key, 0)
        if entry.revision <= acked:
            if entry.revision < acked:  # held until this node's own write is heard
                self._acked[entry.key] = acked
            return
        if entry.operation in ("DEL", "PURGE"):
            self.apply_delete(entry.key)
        else:
            self.apply_put(entry.key, json.loads(entry.value))

    async def _restore(self, key: str) -> None:
        try:
            try:
                entry = await self._kv.get(key)
            except (KeyNotFoundError, KeyDeletedError):
                self.apply_delete(key)
            else:
                self.apply_put(key, json.loads(entry.value))
        except Exception:
            log.exception("cluster: restoring %s of bucket %s failed", key, self.bucket_name)

    async def _follow(self) -> None:
        async for entry in self._watcher:
            if entry is None:
                continue
            try:
                if self._inflight.get(entry.key):
                    self._deferred[entry.key] = entry  # before or after this node's write: its revision tells
                else:
                    self._take(entry)
            except Exception:
                log.exception("cluster: applying a change of bucket %s failed", self.bucket_name)


async def _content_so_far(watcher: Any) -> dict[str, bytes]:
    """What a new watcher gives before its first None: the bucket's content, key -> value."""
    shared: dict[str, bytes] = {}
    while (entry := await watcher.updates(timeout=30)) is not None:
        if entry.operation in ("DEL", "PURGE"):
            shared.pop(entry.key, None)
        else:
            shared[entry.key] = entry.value
    return shared


def _content(value: bytes) -> dict[str, Any]:
    """A bucket value without the node that wrote it: what two copies must agree on."""
    content = json.loads(value)
    content.pop("origin", None)
    return content


class SharedRetained(Replica):
    """The retained messages: a `RetainedStore` whose changes every node shares.

    Args:
        store: this node's store of retained messages.
        node: this node.
        on_change: tells the broker a topic's retained message changed on another node
            (the message, or None if deleted).
    """

    bucket_name = "mqttgate_retained"

    def __init__(self, store: RetainedStore, node: ClusterNode) -> None:
        super().__init__(node)
        self.store = store
        self.on_change: Callable[[str, RetainedMessage | None], None] = lambda topic, message: None

    # the RetainedStore shape, for the broker
    def load(self) -> list[RetainedMessage]:
        return self.store.load()

    def put(self, message: RetainedMessage) -> asyncio.Future[None]:  # type: ignore[override]
        return _both(self.store.put(message), super().put(_key(message.topic), _record(message)))

    def delete(self, topics: Iterable[str]) -> asyncio.Future[None]:  # type: ignore[override]
        topics = list(topics)
        return _both(self.store.delete(topics), *(super(SharedRetained, self).delete(_key(t)) for t in topics))

    def close(self) -> None:
        self.store.close()

    # the replica
    def local(self) -> dict[str, bytes]:
        return {_key(m.topic): json.dumps({**_record(m), "origin": self.node.name}).encode() for m in self.load()}

    def apply_put(self, key: str, value: dict[str, Any]) -> Awaitable[Any]:
        message = _message(value)
        self.on_change(message.topic, message)
        return self.store.put(message)

    def apply_delete(self, key: str) -> Awaitable[Any]:
        topic = _text(key)
        self.on_change(topic, None)
        return self.store.delete([topic])


class SharedBans(Replica):
    """The bans: a ban made or lifted on any node is in force (and kicks) on every node."""

    bucket_name = "mqttgate_bans"

    def __init__(self, bans: Bans, node: ClusterNode) -> None:
        super().__init__(node)
        self.bans = bans
        self._applying = False
        self._incoming: set[Ban] = set()  # made on another node: not shared again
        bans.on_added.insert(0, self._added)
        bans.on_removed.append(self._removed)

    async def _added(self, ban: Ban) -> None:
        if ban in self._incoming:
            self._incoming.discard(ban)
            return
        await Replica.put(self, _key(f"{ban.kind}\0{ban.who}"), _ban(ban))

    def _removed(self, kind: str, who: str) -> None:
        if not self._applying:
            Replica.delete(self, _key(f"{kind}\0{who}"))

    def local(self) -> dict[str, bytes]:
        return {_key(f"{b.kind}\0{b.who}"): json.dumps({**_ban(b), "origin": self.node.name}).encode()
                for b in self.bans.all()}

    def apply_put(self, key: str, value: dict[str, Any]) -> None:  # type: ignore[override]
        ban = Ban(value["kind"], value["who"], value["by"], value["reason"], datetime.fromisoformat(value["at"]),
                  datetime.fromisoformat(value["until"]) if value["until"] else None)
        self._incoming.add(ban)
        kicks = asyncio.ensure_future(self.bans.apply(ban))  # kicks the clients it names here
        self._tasks.append(kicks)
        kicks.add_done_callback(self._tasks.remove)

    def apply_delete(self, key: str) -> None:  # type: ignore[override]
        kind, _, who = _text(key).partition("\0")
        self._applying = True
        try:
            self.bans.forget(kind, who)
        finally:
            self._applying = False


def _both(*futures: Awaitable[None]) -> asyncio.Future[None]:
    async def wait() -> None:
        for future in futures:
            await future
    done = asyncio.ensure_future(wait())
    done.add_done_callback(lambda future: future.cancelled() or future.exception())
    return done


def _record(message: RetainedMessage) -> dict[str, Any]:
    return {"topic": message.topic, "payload": base64.b64encode(message.payload).decode(), "qos": message.qos,
            "msgid": message.msgid, "publish_at": message.publish_at.isoformat(),
            "from_clientid": message.from_clientid, "from_username": message.from_username}


def _message(value: dict[str, Any]) -> RetainedMessage:
    return RetainedMessage(topic=value["topic"], payload=base64.b64decode(value["payload"]), qos=value["qos"],
                           msgid=value["msgid"], publish_at=datetime.fromisoformat(value["publish_at"]),
                           from_clientid=value["from_clientid"], from_username=value["from_username"])


def _ban(ban: Ban) -> dict[str, Any]:
    return {"kind": ban.kind, "who": ban.who, "by": ban.by, "reason": ban.reason, "at": ban.at.isoformat(),
            "until": ban.until.isoformat() if ban.until else None}


class Registry(Protocol):
    """What a registry offers to be shared by a `SharedRegistry`: its records, by an id.

    A record is plain JSON and holds secrets only as their hashes. `on_change` is told of
    every change made through the registry's own methods (the id, and the record or None
    once it is gone); `apply` and `forget` take in a change made on another node and tell
    no one.
    """

    on_change: Callable[[str, dict[str, Any] | None], None] | None

    def records(self) -> dict[str, dict[str, Any]]: ...

    def apply(self, record: dict[str, Any]) -> None: ...

    def forget(self, ident: str) -> None: ...


class SharedRegistry(Replica):
    """A registry of records shared one record per key: API keys, MQTT users, ACL rules, trace definitions.

    A record is one value, changed as a whole: the ACL rules of one client id (or username, or
    for all) are one ordered list in one key, so that two nodes editing the same rules at once
    end with the bucket's last write on every node, never a mix of the two lists.
    """

    def __init__(self, registry: Registry, node: ClusterNode, bucket_name: str) -> None:
        super().__init__(node)
        self.bucket_name = bucket_name
        self.registry = registry
        registry.on_change = self._changed

    def _changed(self, ident: str, record: dict[str, Any] | None) -> None:
        if record is None:
            self.delete(_key(ident))
        else:
            self.put(_key(ident), record)

    def local(self) -> dict[str, bytes]:
        return {_key(ident): json.dumps({**record, "origin": self.node.name}).encode()
                for ident, record in self.registry.records().items()}

    def apply_put(self, key: str, value: dict[str, Any]) -> None:  # type: ignore[override]
        self.registry.apply({name: item for name, item in value.items() if name != "origin"})

    def apply_delete(self, key: str) -> None:  # type: ignore[override]
        self.registry.forget(_text(key))


class SharedTraces(SharedRegistry):
    """The trace definitions, shared; each node records in its own log, and a download gathers them all."""

    chunk = 256 * 1024  # bytes of a log per request: well under NATS's message size limit (1 MB by default)

    def __init__(self, tracer: Tracer, node: ClusterNode) -> None:
        super().__init__(tracer, node, "mqttgate_traces")
        self.tracer = tracer
        tracer.gather = self.gather

    async def gather(self, name: str) -> tuple[dict[str, bytes], list[str]]:
        """Every live node's log of trace `name`, and the nodes that did not answer in time."""
        nodes = self.node.live_nodes()
        outcomes = await asyncio.gather(*(self._log_of(node, name) for node in nodes), return_exceptions=True)
        logs: dict[str, bytes] = {}
        missing: list[str] = []
        for node, outcome in zip(nodes, outcomes, strict=True):
            if isinstance(outcome, Missing):
                missing.append(node)
            elif isinstance(outcome, TraceNotFound):
                continue  # deleted there meanwhile
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                logs[node] = outcome
        return logs, missing

    async def _log_of(self, node: str, name: str) -> bytes:
        parts: list[bytes] = []
        position = 0
        while True:
            answer = await self.node.ask(node, "trace_log", {"name": name, "position": position, "size": self.chunk})
            data = base64.b64decode(answer["data"])
            parts.append(data)
            position = answer["position"]
            if len(data) < self.chunk:
                return b"".join(parts)

    async def answer_trace_log(self, *, name: str, position: int, size: int) -> dict[str, Any]:
        """Another node's request: a piece of this node's log of trace `name`."""
        data, after = self.tracer.read_log(name, position, size)
        return {"data": base64.b64encode(data).decode(), "position": after}
