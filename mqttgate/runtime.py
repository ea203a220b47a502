"""What one mqttgate process owns: the data_dir lock, the store, the API keys and the broker."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import logging
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from mqttgate import __version__
from mqttgate.broker.access import Access
from mqttgate.broker.adapter import BrokerAdapter
from mqttgate.broker.amqtt import AmqttBrokerAdapter
from mqttgate.broker.api_keys import FIRST_KEY_FILE, ApiKeys
from mqttgate.broker.backups import Backups
from mqttgate.broker.errors import BrokerOwned
from mqttgate.broker.files import private_dir
from mqttgate.broker.ops.operations import Operations, Thresholds
from mqttgate.broker.retained import RetainedStore
from mqttgate.broker.sessions_store import SqliteSessionStore
from mqttgate.broker.store import Store
from mqttgate.broker.traces import Tracer
from mqttgate.config import Config

log = logging.getLogger("mqttgate")


@dataclass
class Runtime:
    """The running parts, built by `start` and released by `stop`."""

    config: Config
    node: str
    store: Store
    api_keys: ApiKeys
    tracer: Tracer
    backups: Backups
    access: Access
    broker: BrokerAdapter
    retained: RetainedStore
    _lock_fd: int
    ops: Operations
    sessions: SqliteSessionStore | None = None

    @classmethod
    async def start(cls, config: Config) -> Runtime:
        """Take the data_dir, open the store, load API keys, access rules and retained messages, and start
        the broker.

        Raises:
            BrokerOwned: another process runs a broker on this data_dir.
        """
        slots = _worker_slots if config.cluster.enabled else 1
        if slots > 1:  # one of the N workers of gunicorn -w N, each a node of the cluster
            slot, lock_fd = await take_slot(private_dir(config.data_path), slots)
            data = private_dir(config.data_path / f"node-{slot}")
            node = f"{config.cluster.node or node_name()}-{slot}"
        else:
            data = private_dir(config.data_path)
            lock_fd = _own(data)
            node = (config.cluster.node or node_name()) if config.cluster.enabled else node_name()
        store = Store(data / "mqttgate.db")
        retained = RetainedStore(store)
        sessions = SqliteSessionStore(store) if config.mqtt.durability != "memory" else None
        try:
            api_keys = ApiKeys(store)
            if not config.cluster.enabled:  # in a cluster, once this node holds the cluster's keys
                _bootstrap_keys(config, api_keys, slots)
            access = Access(store, acl_no_match=config.mqtt.acl_no_match)
            tracer = Tracer(store, data / "trace", max_traces=config.trace.max_traces,
                            max_log_size=config.trace.max_log_size)
            cluster = _cluster_node(config, node) if config.cluster.enabled else None
            shared = _shared(cluster, retained, access, api_keys, tracer) if cluster is not None else None
            if shared is not None:
                shared.api_keys.after_join = lambda: _bootstrap_keys(config, api_keys, slots, cluster=True)
            broker = AmqttBrokerAdapter(
                config.mqtt.listeners, retained=shared.retained if shared is not None else retained,
                allow_anonymous=config.mqtt.allow_anonymous,
                connect_timeout=config.mqtt.connect_timeout,
                session_expiry_interval=config.mqtt.session_expiry_interval,
                max_mqueue_len=config.mqtt.max_mqueue_len, tracer=tracer, access=access,
                max_payload_size=config.mqtt.max_payload_size, max_packet_size=config.mqtt.max_packet_size,
                sessions=sessions, durability=config.mqtt.durability, cluster=cluster, node=node,
                reuse_port=slots > 1,
            )
            if cluster is not None:
                from mqttgate.broker.cluster.broker import ClusterBroker

                broker = ClusterBroker(broker, cluster, shared)
            backups = Backups(store, data / "backups", node=node, version=__version__,
                              config=dataclasses.asdict(config),
                              on_restore=[tracer.reload, api_keys.reload, access.reload, broker.reload_retained,
                                         broker.reload_sessions, *(r.push for r in shared or ())])
            await broker.start()
            ops = _operations(config, store, broker, node, backups, tracer)
        except BaseException:
            if sessions is not None:
                sessions.close()
            retained.close()
            store.close()
            os.close(lock_fd)
            raise
        for listener in broker.status().listeners:
            log.info("MQTT listener %s (%s) on %s", listener.name, listener.type, listener.bind)
        return cls(config, node, store, api_keys, tracer, backups, access, broker, retained, lock_fd, ops, sessions)

    async def stop(self) -> None:
        try:
            await self.ops.stop()
            await self.broker.stop()
        finally:
            self.retained.close()  # after the broker: what it retained while stopping is written too
            if self.sessions is not None:
                self.sessions.close()
            self.tracer.close()
            self.store.close()
            os.close(self._lock_fd)


def _operations(config: Config, store: Store, broker: BrokerAdapter, node: str, backups: Backups,
                tracer: Tracer) -> Operations:
    """Monitor, alarms and audit log, watching the broker, the backups and the traces."""
    alarm = config.alarm
    ops = Operations(store, broker, node=node, interval=config.monitor.interval, retention=config.monitor.retention,
                     thresholds=Thresholds(alarm.system_memory_high_watermark, alarm.process_memory_high_watermark,
                                           alarm.listener_connections_high_watermark),
                     audit_max_entries=config.audit.max_entries, alarm_size_limit=alarm.size_limit)
    ops.watch_backups(backups)
    tracer.on_write_result = ops.trace_result
    ops.start()
    return ops
def _cluster_node(config: Config, node: str) -> Any:
    from mqttgate.broker.cluster.node import ClusterNode  # NATS is loaded only for a cluster

    cluster = config.cluster
    return ClusterNode(node, cluster.servers, user=cluster.user, password=cluster.password, token=cluster.token,
                       replicas=cluster.replicas, request_timeout=cluster.request_timeout,
                       heartbeat_interval=cluster.heartbeat_interval)


class Replicas(NamedTuple):
    """A cluster node's replicas of the shared state, one per bucket."""

    retained: Any  # SharedRetained: the broker's store of retained messages
    bans: Any
    api_keys: Any  # its `after_join` makes the first key, once the cluster's keys are here
    users: Any
    acl: Any
    traces: Any


def _shared(cluster: Any, retained: RetainedStore, access: Access, api_keys: ApiKeys, tracer: Tracer) -> Replicas:
    from mqttgate.broker.cluster.shared import SharedBans, SharedRegistry, SharedRetained, SharedTraces

    return Replicas(SharedRetained(retained, cluster), SharedBans(access.bans, cluster),
                    SharedRegistry(api_keys, cluster, "mqttgate_api_keys"),
                    SharedRegistry(access.users, cluster, "mqttgate_users"),
                    SharedRegistry(access.acl, cluster, "mqttgate_acl"),
                    SharedTraces(tracer, cluster))


def _bootstrap_keys(config: Config, api_keys: ApiKeys, slots: int, *, cluster: bool = False) -> None:
    """Load the bootstrap file, and make and print the first key if there is none.

    In a cluster this runs once the node holds the cluster's keys: a node joining a cluster
    that has keys makes none (the cluster's work on it), and a first key file whose key the
    cluster does not hold (left from before the node joined) is removed.
    """
    if config.api_key.bootstrap_file:
        api_keys.load_bootstrap_file(Path(config.api_key.bootstrap_file))
    kept = config.data_path / FIRST_KEY_FILE
    # (the workers of gunicorn -w N share one file, written under a lock: not theirs to remove)
    if cluster and slots <= 1 and kept.exists():
        held = {key.api_key for key in api_keys.list()}
        if kept.read_text().strip().split(":")[0] not in held:
            kept.unlink()
            log.info("cluster: removed %s: its key is not one of the cluster's API keys", kept)
    # with the API off, a key would open nothing (and a printed secret is one more to guard)
    first = _first_key(api_keys, config.data_path, slots) if config.rest_api.enabled else None
    if first:
        print(f"mqttgate: created the first API key (administrator); it is shown only now and kept in "
              f"{kept} (mode 0600):\n  key: {first[0]}\n  secret: {first[1]}", flush=True)


def node_name() -> str:
    """This node's name, EMQX style."""
    return f"mqttgate@{socket.gethostname()}"


@contextlib.contextmanager
def offline_backups(config: Config, *, exclusive: bool) -> Iterator[Backups]:
    """The backups of a data_dir, without starting the broker.

    Args:
        exclusive: take the data_dir lock (to restore: mqttgate must not be running).
    """
    data = private_dir(config.data_path)
    lock_fd = _own(data) if exclusive else None
    store = Store(data / "mqttgate.db")
    try:
        yield Backups(store, data / "backups", node=node_name(), version=__version__,
                      config=dataclasses.asdict(config))
    finally:
        store.close()
        if lock_fd is not None:
            os.close(lock_fd)


_worker_slots = 1  # N under gunicorn -w N (mqttgate.worker sets it before the app starts)
SLOT_WAIT = 20.0  # seconds a worker waits for a slot held by a worker it replaces (under gunicorn's 30 s timeout)


def serve_as_workers(count: int) -> None:
    """This process is one of `count` workers serving the same configuration (gunicorn -w N).

    With a cluster configured, each worker is a node: it takes the first free slot K in
    1..count, names itself `<cluster.node or mqttgate@host>-K`, keeps its state in
    `data_dir/node-K`, and shares the MQTT ports (SO_REUSEPORT). Without a cluster the
    second worker finds data_dir owned and stops with one line, as before.
    """
    global _worker_slots
    _worker_slots = max(1, count)


async def take_slot(base: Path, slots: int, wait: float = SLOT_WAIT) -> tuple[int, int]:
    """The first free slot K in 1..slots under `base` (data_dir/node-K/mqttgate.lock held): (K, its lock).

    The slots are fixed, so a worker that replaces one that died takes its slot, name and
    data dir again, and with them its durable sessions. A worker started while all slots
    are held (gunicorn starts the new workers of a reload before stopping the old ones)
    waits until one is free.

    Raises:
        BrokerOwned: no slot became free within `wait` seconds.
    """
    deadline = time.monotonic() + wait
    while True:
        for slot in range(1, slots + 1):
            with contextlib.suppress(BrokerOwned):
                return slot, _own(private_dir(base / f"node-{slot}"))
        if time.monotonic() > deadline:
            raise BrokerOwned(f"all {slots} worker slots under data_dir {base} are taken (node-1 .. "
                              f"node-{slots}): another mqttgate runs there with as many workers")
        await asyncio.sleep(0.2)


def _first_key(api_keys: ApiKeys, base: Path, slots: int) -> tuple[str, str] | None:
    """The first API key: created in data_dir; the workers of gunicorn -w N share it, since a
    request reaches any of them."""
    if slots <= 1:
        return api_keys.ensure_first_key(base)
    if api_keys.count():
        return None
    fd = os.open(base / "initial_api_key.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # the first worker writes it, the others load it
        if (base / FIRST_KEY_FILE).exists():
            api_keys.load_bootstrap_file(base / FIRST_KEY_FILE)
            return None
        return api_keys.ensure_first_key(base)
    finally:
        os.close(fd)


def _own(data: Path) -> int:
    fd = os.open(data / "mqttgate.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise BrokerOwned(
            f"another mqttgate process already runs the broker on data_dir {data.resolve()}: one process owns "
            "the broker and its MQTT state, so run gunicorn with -w 1 (and one mqttgate per data_dir)"
        ) from None
    return fd
