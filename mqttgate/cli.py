"""The `mqttgate` command: `serve` runs the broker and the API in one process."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
import sys
from dataclasses import replace

from mqttgate import __version__
from mqttgate.config import CONFIG_ENV, Config, ConfigError, load_config


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mqttgate", description="An MQTT broker with a management REST API.")
    parser.add_argument("--version", action="version", version=f"mqttgate {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve", help="run the MQTT broker and the REST API",
        description="Run the MQTT broker and the REST API until SIGINT or SIGTERM. Every setting can also "
                    "come from the environment: MQTTGATE_ + the key path in capitals joined by __, e.g. "
                    "MQTTGATE_REST_API__LISTENERS__0__PORT=9999.",
    )
    serve.add_argument("--config", metavar="FILE",
                       help=f"YAML configuration file (default: ${CONFIG_ENV} if set, else built-in defaults)")
    serve.add_argument("--data-dir", metavar="DIR", help="where SQLite and generated files live (data_dir)")
    serve.add_argument("--log-level", choices=["debug", "info", "warning", "error"], help="log level (log_level)")
    backup = commands.add_parser(
        "backup", help="create, list or restore backups of all persistent state",
        description="Backups of API keys, bans, users, ACL rules, retained messages, traces and the config. "
                    "'create' and 'list' work while mqttgate runs; 'restore' needs it stopped (or use "
                    "POST /api/v5/data/import on the running server).",
    )
    backup.add_argument("action", choices=["create", "list", "restore"])
    backup.add_argument("filename", nargs="?", help="for restore: a file in data_dir/backups, or a path to one")
    for sub in (backup,):
        sub.add_argument("--config", metavar="FILE", help=f"YAML configuration file (default: ${CONFIG_ENV})")
        sub.add_argument("--data-dir", metavar="DIR", help="data_dir")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config or os.environ.get(CONFIG_ENV))
    except ConfigError as exc:
        print(f"mqttgate: invalid configuration: {exc}", file=sys.stderr)
        sys.exit(2)
    if args.data_dir:
        config = replace(config, data_dir=args.data_dir)
    if args.command == "backup":
        sys.exit(backup_command(config, args.action, args.filename))
    if args.log_level:
        config = replace(config, log_level=args.log_level)
    logging.basicConfig(level=config.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if config.log_level != "debug":
        # amqtt logs every connection at INFO, and transitions every state change
        for chatty in ("amqtt", "transitions"):
            logging.getLogger(chatty).setLevel(logging.WARNING)
    sys.exit(serve_forever(config))


def serve_forever(config: Config) -> int:
    """Serve until a stop signal; the exit status."""
    if not config.rest_api.enabled:
        return asyncio.run(_broker_only(config))
    import uvicorn

    from mqttgate.app import API_BASE, DOCS_PATH, create_app

    try:
        sockets = [_bind(listener.bind_address, listener.port) for listener in config.rest_api.listeners]
    except OSError as exc:
        print(f"mqttgate: cannot open a REST API listener: {exc}", file=sys.stderr)
        return 1
    for listener, sock in zip(config.rest_api.listeners, sockets, strict=True):
        host, port = sock.getsockname()[:2]
        docs = f" (Swagger UI at {DOCS_PATH})" if config.rest_api.swagger_ui else ""
        logging.getLogger("mqttgate").info("REST API listener %s on http://%s:%s%s%s",
                                           listener.name, host, port, API_BASE, docs)
    server = uvicorn.Server(uvicorn.Config(
        create_app(config), lifespan="on", log_level=config.log_level, timeout_graceful_shutdown=2,
        log_config=None, access_log=config.log_level == "debug",
    ))
    try:
        asyncio.run(server.serve(sockets=sockets))
    except KeyboardInterrupt:  # uvicorn re-raises the SIGINT it caught, once it has shut down
        pass
    return 0 if server.started else 1


async def _broker_only(config: Config) -> int:
    from mqttgate.runtime import Runtime

    log = logging.getLogger("mqttgate")
    try:
        runtime = await Runtime.start(config)
    except Exception as exc:
        log.error("mqttgate cannot start: %s", exc)
        return 1
    log.info("REST API disabled (rest_api.enabled: false): running the MQTT broker only")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runtime.stop()
    return 0


def backup_command(config: Config, action: str, filename: str | None) -> int:
    """`mqttgate backup create|list|restore`: the code the API runs, on the data_dir."""
    from broker.errors import GateError
    from mqttgate.runtime import offline_backups

    try:
        with offline_backups(config, exclusive=action == "restore") as backups:
            if action == "create":
                made = asyncio.run(backups.export())
                print(f"{backups.directory / made.filename} ({made.size} bytes)")
            elif action == "list":
                page = backups.list(page=1, limit=10_000)
                for item in page.items:
                    print(f"{item.filename}  {item.created_at.isoformat(timespec='seconds')}  {item.node}  "
                          f"{item.size} bytes")
            else:
                if not filename:
                    print("mqttgate: backup restore needs a file name", file=sys.stderr)
                    return 2
                asyncio.run(backups.restore(backups.adopt(filename)))
                print(f"restored {filename}")
    except GateError as exc:
        print(f"mqttgate: {exc.message}", file=sys.stderr)
        return 1
    return 0


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                          flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.set_inheritable(True)
    return sock
