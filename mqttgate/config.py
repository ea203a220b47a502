"""Configuration: YAML file, then environment variables, into frozen dataclasses.

Every key is optional. Unknown keys and wrong types are refused with a `ConfigError`
naming the key. Environment variables override the file: `MQTTGATE_` + the key path in
upper case joined by `__`, list items by index, values read as YAML scalars, e.g.
`MQTTGATE_REST_API__LISTENERS__0__PORT=9999` or `MQTTGATE_MQTT__ALLOW_ANONYMOUS=false`.
`MQTTGATE_CONFIG` names the file itself.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

ENV_PREFIX = "MQTTGATE_"
CONFIG_ENV = "MQTTGATE_CONFIG"
# the command line's own variables (the API a remote command talks to, and its key): not configuration
URL_ENV, KEY_ENV = "MQTTGATE_URL", "MQTTGATE_API_KEY"
MAX_MQTT_PAYLOAD = 268_435_455  # MQTT 3.1.1 §2.2.3: the largest remaining length of a packet


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the key and the reason."""


@dataclass(frozen=True)
class MqttListener:
    """One MQTT listener.

    Attributes:
        type: `tcp`, `ws` (WebSocket), `tls` (TCP over TLS) or `wss` (WebSocket over TLS).
        bind: `host:port`; port 0 picks a free port.
        certfile: PEM certificate chain, required for `tls` and `wss`.
        keyfile: PEM private key, required for `tls` and `wss`.
        max_connections: 0 for no limit.
    """

    type: Literal["tcp", "ws", "tls", "wss"] = "tcp"
    bind: str = "127.0.0.1:1883"
    certfile: str | None = None
    keyfile: str | None = None
    max_connections: int = 0


@dataclass(frozen=True)
class MqttConfig:
    """The embedded MQTT broker.

    Attributes:
        listeners: listeners by name; a file's `listeners` replaces the default one.
        allow_anonymous: accept CONNECTs that carry no username. A username is checked
            against the built-in database's users whenever it holds any.
        connect_timeout: seconds a new connection may take to send CONNECT before it is closed.
        session_expiry_interval: seconds an offline persistent session (clean_session false) is kept.
        max_mqueue_len: messages queued for an offline persistent session; past it the oldest is dropped.
        acl_no_match: `allow` or `deny` a publish or subscribe that no ACL rule matches
            (EMQX's `authorization.no_match`); superusers skip the rules.
        max_payload_size: the largest payload, in bytes, of a message published over MQTT or
            the API; a larger one is refused (the API answers 400, an MQTT client is disconnected).
        max_packet_size: the largest MQTT packet, in bytes (its remaining length, as EMQX's
            `mqtt.max_packet_size`); a larger one is refused from its fixed header, before it
            is read, and the connection closed. 0: max_payload_size plus 65,539 bytes, room
            for the longest topic and a packet id.
        durability: how persistent sessions (clean_session false) are kept. `sync`: in data_dir, and
            PUBACK/PUBREC (and the API's answer) only once a message is on disk for every persistent
            session it goes to, and in the retained store if retained. `async`: in data_dir, written
            within a second of the acknowledgement (a crash may lose that last second). `memory`: in
            memory only, lost at restart. See README "Durable sessions".
    """

    listeners: dict[str, MqttListener] = field(default_factory=lambda: {"default": MqttListener()})
    allow_anonymous: bool = True
    connect_timeout: float = 10.0
    session_expiry_interval: int = 7200
    max_mqueue_len: int = 1000
    acl_no_match: Literal["allow", "deny"] = "allow"
    max_payload_size: int = 1024 * 1024
    max_packet_size: int = 0
    durability: Literal["sync", "async", "memory"] = "sync"


@dataclass(frozen=True)
class RestListener:
    """One listener of the management API (HiveMQ style: name, port, bind address).

    Attributes:
        certfile: PEM certificate chain; set, the listener speaks HTTPS.
        keyfile: PEM private key of `certfile`, required with it.
        cacertfile: PEM CA certificates; set, a client must present a certificate they signed
            (mutual TLS). Needs `certfile`.
    """

    name: str = "http-default"
    port: int = 8888
    bind_address: str = "127.0.0.1"
    certfile: str | None = None
    keyfile: str | None = None
    cacertfile: str | None = None

    @property
    def tls(self) -> bool:
        return self.certfile is not None


@dataclass(frozen=True)
class RestApiConfig:
    """The management REST API.

    Attributes:
        enabled: false runs the broker alone.
        listeners: HTTP listeners, all serving the same API; ignored under gunicorn, which binds itself.
        swagger_ui: serve Swagger UI at `/api-docs`.
        validate_responses: check every response against the spec (for tests; costs time).
        max_body_size: bytes a request body may have; a larger one is answered 413 before it is read.
        max_upload_size: the same for backup uploads (POST /data/files).
        max_header_size: bytes the request line and headers may have together (h11's
            max_incomplete_event_size under `mqttgate serve`); past it the connection gets 400 and is closed.
    """

    enabled: bool = True
    listeners: list[RestListener] = field(default_factory=lambda: [RestListener()])
    swagger_ui: bool = True
    validate_responses: bool = False
    max_body_size: int = 4 * 1024 * 1024
    max_upload_size: int = 512 * 1024 * 1024
    max_header_size: int = 128 * 1024


@dataclass(frozen=True)
class ApiKeyConfig:
    """API keys for the REST API.

    Attributes:
        bootstrap_file: lines `key:secret` or `key:secret:role`, loaded at every start.
    """

    bootstrap_file: str | None = None


@dataclass(frozen=True)
class TraceConfig:
    """Trace recordings.

    Attributes:
        max_traces: how many traces may be defined at once.
        max_log_size: bytes one trace's log may grow to; past it nothing more is written.
    """

    max_traces: int = 30
    max_log_size: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class LogConfig:
    """Where and how `mqttgate serve` logs (the level is `log_level`).

    Attributes:
        format: `text` lines, or `json`: one JSON object per line.
        file: a file to append to; none logs to stderr.
        access_log: one line per REST API request (logger `mqttgate.access`, at info).
    """

    format: Literal["text", "json"] = "text"
    file: str | None = None
    access_log: bool = True


@dataclass(frozen=True)
class MonitorConfig:
    """The monitor's history (EMQX's /monitor).

    Attributes:
        interval: seconds between samples (EMQX: 10).
        retention: seconds a sample is kept (default 7 days); the table stays within
            retention / interval rows.
    """

    interval: float = 10.0
    retention: float = 7 * 86400


@dataclass(frozen=True)
class AlarmConfig:
    """When alarms go off, as fractions (EMQX's sysmon watermarks), and how many cleared ones are kept.

    Attributes:
        system_memory_high_watermark: the host's memory in use, of its total.
        process_memory_high_watermark: mqttgate's resident memory, of the host's total.
        listener_connections_high_watermark: an MQTT listener's connections, of its max_connections.
        size_limit: deactivated alarms kept.
    """

    system_memory_high_watermark: float = 0.7
    process_memory_high_watermark: float = 0.05
    listener_connections_high_watermark: float = 0.9
    size_limit: int = 1000


@dataclass(frozen=True)
class AuditConfig:
    """The audit log of changes made through the API and the command line.

    Attributes:
        enabled: record changes.
        max_entries: entries kept; past it the oldest are deleted.
    """

    enabled: bool = True
    max_entries: int = 5000


@dataclass(frozen=True)
class ClusterConfig:
    """Several mqttgate nodes as one broker and one API, on NATS (off while `servers` is empty).

    Attributes:
        servers: NATS server URLs (`nats://host:4222`); one is enough, more survive its loss.
        user: NATS user name, with `password`.
        password: NATS password of `user`.
        token: NATS authentication token (instead of user and password).
        node: this node's name, unique in the cluster; empty takes `mqttgate@<hostname>`
            (with `-K`, the worker's slot, appended under `gunicorn -w N`).
        replicas: JetStream replicas of the shared buckets (3 on a NATS cluster of 3 or more servers).
        request_timeout: seconds a node waits for another node's answer before naming it missing.
        heartbeat_interval: seconds between a node's heartbeats; a node silent for three of them
            is dropped from `/nodes`.
    """

    servers: list[str] = field(default_factory=list)
    user: str | None = None
    password: str | None = None
    token: str | None = None
    node: str = ""
    replicas: int = 1
    request_timeout: float = 2.0
    heartbeat_interval: float = 1.0

    @property
    def enabled(self) -> bool:
        return bool(self.servers)


@dataclass(frozen=True)
class Config:
    """The whole mqttgate configuration.

    Attributes:
        data_dir: where the SQLite database and generated files live.
        log_level: debug, info, warning or error.
    """

    data_dir: str = "./data"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    mqtt: MqttConfig = field(default_factory=MqttConfig)
    rest_api: RestApiConfig = field(default_factory=RestApiConfig)
    api_key: ApiKeyConfig = field(default_factory=ApiKeyConfig)
    trace: TraceConfig = field(default_factory=TraceConfig)
    log: LogConfig = field(default_factory=LogConfig)
    monitor: MonitorConfig = field(default_factory=MonitorConfig)
    alarm: AlarmConfig = field(default_factory=AlarmConfig)
    audit: AuditConfig = field(default_factory=AuditConfig)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)


def load_config(path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the YAML file at `path` (if any), apply environment overrides, and validate.

    Raises:
        ConfigError: the file cannot be read or parsed, or a key or value is invalid.
    """
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise ConfigError(f"config file {path} is not valid YAML{where}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"config file {path} must hold a mapping of keys")
        raw = loaded or {}
    for name, value in sorted(environ.items()):
        if name.startswith(ENV_PREFIX) and name not in (CONFIG_ENV, URL_ENV, KEY_ENV):
            _set_path(raw, name[len(ENV_PREFIX) :].lower().split("__"), value, name)
    config = _build(Config, raw, "")
    _check(config)
    return config


def _set_path(raw: dict[str, Any], keys: list[str], text: str, env_name: str) -> None:
    try:
        value = yaml.safe_load(text) if text else ""
    except yaml.YAMLError:
        value = text
    node: Any = raw
    for i, key in enumerate(keys):
        last = i == len(keys) - 1
        if isinstance(node, list):
            if not key.isdigit() or int(key) > len(node):
                raise ConfigError(f"{env_name}: list index {key!r} is out of range")
            if int(key) == len(node):
                node.append({})
            key = int(key)
        elif not isinstance(node, dict):
            raise ConfigError(f"{env_name}: {keys[i - 1]} is not a mapping")
        if last:
            node[key] = value
        else:
            if isinstance(node, dict) and key not in node:
                node[key] = [] if keys[i + 1].isdigit() else {}
            node = node[key]


def _build(cls: type, data: Any, path: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{path or 'config'}: expected a mapping, got {_show(data)}")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in data:
        if key not in known:
            where = f"{path}.{key}" if path else str(key)
            raise ConfigError(f"unknown key {where!r}; known keys here: {', '.join(sorted(known))}")
    values = {name: _convert(hints[name], data[name], f"{path}.{name}" if path else name)
              for name in known if name in data}
    return cls(**values)


def _convert(hint: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return _build(hint, {} if value is None else value, path)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(inner, value, path)
    if origin is Literal:
        if value not in args:
            raise ConfigError(f"{path}: must be one of {', '.join(map(str, args))}, got {_show(value)}")
        return value
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: expected a mapping, got {_show(value)}")
        return {str(k): _convert(args[1], v, f"{path}.{k}") for k, v in value.items()}
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{path}: expected a list, got {_show(value)}")
        return [_convert(args[0], v, f"{path}[{i}]") for i, v in enumerate(value)]
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: expected true or false, got {_show(value)}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{path}: expected an integer, got {_show(value)}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{path}: expected a number, got {_show(value)}")
        return float(value)
    if hint is str:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ConfigError(f"{path}: expected a string, got {_show(value)}")
        return str(value)
    raise TypeError(f"unsupported config type {hint!r}")  # a bug in this module, not in the file


def _show(value: Any) -> str:
    return "nothing" if value is None else repr(value)


def _check(config: Config) -> None:
    if not config.mqtt.listeners:
        raise ConfigError("mqtt.listeners: at least one listener is needed")
    for name, listener in config.mqtt.listeners.items():
        where = f"mqtt.listeners.{name}"
        _split_bind(listener.bind, f"{where}.bind")
        if listener.max_connections < 0:
            raise ConfigError(f"{where}.max_connections: must be 0 (no limit) or more")
        if listener.type in ("tls", "wss"):
            for key in ("certfile", "keyfile"):
                file = getattr(listener, key)
                if not file:
                    raise ConfigError(f"{where}.{key}: required for a {listener.type} listener")
                if not Path(file).is_file():
                    raise ConfigError(f"{where}.{key}: no such file {file}")
    if config.mqtt.connect_timeout <= 0:
        raise ConfigError("mqtt.connect_timeout: must be more than 0 seconds")
    if config.mqtt.session_expiry_interval < 0:
        raise ConfigError("mqtt.session_expiry_interval: must be 0 seconds or more")
    if config.mqtt.max_mqueue_len < 1:
        raise ConfigError("mqtt.max_mqueue_len: must be 1 or more")
    if config.trace.max_traces < 1 or config.trace.max_log_size < 1024:
        raise ConfigError("trace: max_traces must be 1 or more and max_log_size 1024 bytes or more")
    for key in ("max_body_size", "max_upload_size", "max_header_size"):
        if getattr(config.rest_api, key) < 1024:
            raise ConfigError(f"rest_api.{key}: must be 1024 bytes or more, got {getattr(config.rest_api, key)}")
    if not 0 <= config.mqtt.max_packet_size <= MAX_MQTT_PAYLOAD:
        raise ConfigError(f"mqtt.max_packet_size: must be 0 (derived) or up to {MAX_MQTT_PAYLOAD} bytes, "
                          f"got {config.mqtt.max_packet_size}")
    if not 1 <= config.mqtt.max_payload_size <= MAX_MQTT_PAYLOAD:
        raise ConfigError(f"mqtt.max_payload_size: must be 1..{MAX_MQTT_PAYLOAD} bytes, "
                          f"got {config.mqtt.max_payload_size}")
    _check_cluster(config.cluster)
    names = [listener.name for listener in config.rest_api.listeners]
    if len(set(names)) != len(names):
        raise ConfigError("rest_api.listeners: names must be unique")
    for i, listener in enumerate(config.rest_api.listeners):
        if not 0 <= listener.port <= 65535:
            raise ConfigError(f"rest_api.listeners[{i}].port: must be 0..65535, got {listener.port}")
    if config.rest_api.enabled and not config.rest_api.listeners:
        raise ConfigError("rest_api.listeners: at least one listener is needed while rest_api.enabled is true")
    _check_rest_tls(config.rest_api.listeners)
    _check_operations(config)


# REST API over TLS
def _check_rest_tls(listeners: list[RestListener]) -> None:
    for i, listener in enumerate(listeners):
        where = f"rest_api.listeners[{i}]"
        if (listener.certfile is None) != (listener.keyfile is None):
            raise ConfigError(f"{where}: certfile and keyfile go together (HTTPS needs both)")
        if listener.cacertfile is not None and listener.certfile is None:
            raise ConfigError(f"{where}.cacertfile: mutual TLS needs certfile and keyfile too")
        for key in ("certfile", "keyfile", "cacertfile"):
            file = getattr(listener, key)
            if file is not None and not Path(file).is_file():
                raise ConfigError(f"{where}.{key}: no such file {file}")


def _check_operations(config: Config) -> None:
    if config.monitor.interval <= 0 or config.monitor.retention < config.monitor.interval:
        raise ConfigError("monitor: interval must be more than 0 seconds and retention at least one interval")
    for key in ("system_memory_high_watermark", "process_memory_high_watermark",
                "listener_connections_high_watermark"):
        if not 0 < getattr(config.alarm, key) <= 1:
            raise ConfigError(f"alarm.{key}: must be a fraction in (0, 1], got {getattr(config.alarm, key)}")
    if config.alarm.size_limit < 1 or config.audit.max_entries < 1:
        raise ConfigError("alarm.size_limit and audit.max_entries: must be 1 or more")


def _check_cluster(cluster: ClusterConfig) -> None:
    for i, url in enumerate(cluster.servers):
        if not url.startswith(("nats://", "tls://")) or not url.partition("://")[2]:
            raise ConfigError(f"cluster.servers[{i}]: expected nats://host:port or tls://host:port, got {url!r}")
    if cluster.token and (cluster.user or cluster.password):
        raise ConfigError("cluster: give either a token or a user and password, not both")
    if bool(cluster.user) != bool(cluster.password):
        raise ConfigError("cluster: user and password go together")
    if cluster.node and (cluster.node != cluster.node.strip() or any(c.isspace() for c in cluster.node)):
        raise ConfigError(f"cluster.node: no spaces in a node name, got {cluster.node!r}")
    if not 1 <= cluster.replicas <= 5:
        raise ConfigError("cluster.replicas: must be 1..5")
    if cluster.request_timeout <= 0 or cluster.heartbeat_interval <= 0:
        raise ConfigError("cluster: request_timeout and heartbeat_interval must be more than 0 seconds")


def _split_bind(bind: str, where: str) -> tuple[str, int]:
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"{where}: expected host:port, got {bind!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


def split_bind(bind: str) -> tuple[str, int]:
    """Split a checked `host:port` bind string."""
    return _split_bind(bind, "bind")
