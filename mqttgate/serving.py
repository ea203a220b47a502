"""`mqttgate serve`: the REST listeners (plain HTTP and HTTPS at once) on one uvicorn server, a clean exit
on SIGINT and SIGTERM, and SIGHUP reloading what can change without dropping a connection."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import logging
import signal
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from mqttgate import logs
from mqttgate.config import Config, ConfigError, RestListener

log = logging.getLogger("mqttgate")


def tls_context(listener: RestListener) -> ssl.SSLContext:
    """The server context of an HTTPS listener; with `cacertfile`, a client certificate it signed is required."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(listener.certfile, listener.keyfile)
    if listener.cacertfile:
        context.load_verify_locations(listener.cacertfile)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def is_loopback(host: str) -> bool:
    """Whether a bind address only reaches this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class BoundListener:
    """A REST listener with its bound socket, and its TLS context when it speaks HTTPS."""

    listener: RestListener
    sock: socket.socket
    context: ssl.SSLContext | None

    @property
    def address(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"{host}:{port}"


class GateServer(uvicorn.Server):
    """uvicorn over every REST listener, each plain or TLS (uvicorn gives one `ssl` to all its sockets).

    Args:
        config: uvicorn's configuration (app, lifespan, logging).
        listeners: the REST listeners, bound.
        reload: what SIGHUP runs, on the event loop.
    """

    def __init__(self, config: uvicorn.Config, listeners: list[BoundListener],
                 reload: Callable[[], None] | None = None) -> None:
        super().__init__(config)
        self.listeners = listeners
        self.reload = reload

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[bound.sock for bound in self.listeners if bound.context is None])
        loop = asyncio.get_running_loop()
        for bound in self.listeners:
            if bound.context is not None:
                self.servers.append(await loop.create_server(
                    self._protocol, sock=bound.sock, ssl=bound.context, backlog=self.config.backlog))
        if self.reload is not None:
            loop.add_signal_handler(signal.SIGHUP, self.reload)

    def _protocol(self, _loop: asyncio.AbstractEventLoop | None = None) -> asyncio.Protocol:
        # as uvicorn's own startup makes them, so that shutdown finds these connections too
        return self.config.http_protocol_class(config=self.config, server_state=self.server_state,
                                               app_state=self.lifespan.state, _loop=_loop)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn raises a SIGTERM it caught again once it has shut down, and the default action
        # ends the process with 143: a stop that was asked for and done is exit status 0 here.
        originals = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in originals.items():
                signal.signal(sig, handler)


def bind_all(listeners: list[RestListener]) -> list[BoundListener]:
    """Bind every REST listener, and load the TLS contexts of the HTTPS ones.

    Raises:
        OSError, ssl.SSLError: a port is taken, or a certificate or key cannot be loaded.
    """
    bound = []
    try:
        for listener in listeners:
            sock = _bind(listener.bind_address, listener.port)
            bound.append(BoundListener(listener, sock, None))
            if listener.tls:
                bound[-1].context = tls_context(listener)
    except BaseException:
        for item in bound:
            item.sock.close()
        raise
    for item in bound:
        scheme = "https" if item.context else "http"
        if item.context is None and not is_loopback(item.listener.bind_address):
            log.warning("REST API listener %s serves plain HTTP on %s, beyond this machine: API secrets travel "
                        "in clear; give it certfile and keyfile (HTTPS) or bind it to 127.0.0.1",
                        item.listener.name, item.address)
        mutual = " (client certificate required)" if item.listener.cacertfile else ""
        log.info("REST API listener %s on %s://%s%s", item.listener.name, scheme, item.address, mutual)
    return bound


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                          flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.set_inheritable(True)
    return sock


class Reloader:
    """What SIGHUP reloads: the log level, the TLS certificates of the MQTT and REST listeners, and the
    API key bootstrap file; the rest of a changed configuration is named in the log as needing a restart.

    Args:
        load: reads the configuration again (the file, the environment, the command line's overrides).
        config: the configuration in force.
        runtime: gives the running parts (`runtime()` is None until the broker runs).
        listeners: the bound REST listeners (their TLS contexts are loaded again).
    """

    def __init__(self, load: Callable[[], Config], config: Config, runtime: Callable[[], Any],
                 listeners: list[BoundListener] = ()) -> None:
        self.load, self.config, self.runtime, self.listeners = load, config, runtime, list(listeners)

    def __call__(self) -> list[str]:
        """Reload; what was reloaded, as logged."""
        try:
            new = self.load()
        except ConfigError as exc:
            log.error("SIGHUP: the configuration is invalid, nothing reloaded: %s", exc)
            return []
        done, failed = [], []
        if new.log_level != self.config.log_level:
            logs.set_level(new.log_level)
            done.append(f"log_level {self.config.log_level} -> {new.log_level}")
        runtime = self.runtime()
        if runtime is not None:
            try:
                names = runtime.broker.reload_tls()
                if names:
                    done.append(f"MQTT TLS certificates ({', '.join(names)})")
            except (OSError, ssl.SSLError) as exc:
                failed.append(f"MQTT TLS certificates: {exc}")
            if new.api_key.bootstrap_file:
                try:
                    count = runtime.api_keys.load_bootstrap_file(Path(new.api_key.bootstrap_file))
                    done.append(f"API key bootstrap file {new.api_key.bootstrap_file} ({count} keys)")
                except Exception as exc:  # a malformed file names its line; the keys in force stay
                    failed.append(f"API key bootstrap file: {getattr(exc, 'message', exc)}")
        for bound in self.listeners:
            if bound.context is None:
                continue
            try:
                bound.context.load_cert_chain(bound.listener.certfile, bound.listener.keyfile)
                if bound.listener.cacertfile:
                    bound.context.load_verify_locations(bound.listener.cacertfile)
                done.append(f"REST TLS certificates ({bound.listener.name})")
            except (OSError, ssl.SSLError) as exc:
                failed.append(f"REST TLS certificates of {bound.listener.name}: {exc}")
        restart = _needs_restart(self.config, new)
        self.config = new
        log.info("SIGHUP: reloaded %s", "; ".join(done) if done else "nothing")
        for failure in failed:
            log.error("SIGHUP: not reloaded: %s", failure)
        if restart:
            log.warning("SIGHUP: changed, but applied only at the next start: %s", ", ".join(restart))
        return done


def _needs_restart(old: Config, new: Config) -> list[str]:
    changed = []
    for field in dataclasses.fields(Config):
        if field.name in ("log_level", "api_key"):
            continue
        if getattr(old, field.name) != getattr(new, field.name):
            changed.append(field.name)
    return changed
