"""The `mqttgate` command: `serve` runs the broker and the API in one process."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from mqttgate import __version__, logs
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
    _add_api_key_commands(commands)
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
    if args.command == "api-key":
        sys.exit(api_key_command(config, args))
    if args.log_level:
        config = replace(config, log_level=args.log_level)
    logs.configure(config)
    sys.exit(serve_forever(config, lambda: _reload_config(args)))


def _reload_config(args: argparse.Namespace) -> Config:
    """The configuration as SIGHUP reads it: the file and the environment again, the command line's options kept."""
    config = load_config(args.config or os.environ.get(CONFIG_ENV))
    if args.data_dir:
        config = replace(config, data_dir=args.data_dir)
    if args.log_level:
        config = replace(config, log_level=args.log_level)
    return config


def serve_forever(config: Config, load: Callable[[], Config] | None = None) -> int:
    """Serve until a stop signal; the exit status. SIGHUP reloads what `serving.Reloader` says, read by `load`."""
    load = load or (lambda: config)
    if not config.rest_api.enabled:
        return asyncio.run(_broker_only(config, load))
    import uvicorn

    from mqttgate.app import API_BASE, DOCS_PATH, create_app
    from mqttgate.serving import GateServer, Reloader, bind_all

    try:
        bound = bind_all(config.rest_api.listeners)
    except (OSError, ssl.SSLError) as exc:
        print(f"mqttgate: cannot open a REST API listener: {exc}", file=sys.stderr)
        return 1
    if config.rest_api.swagger_ui:
        logging.getLogger("mqttgate").info("REST API at %s, Swagger UI at %s", API_BASE, DOCS_PATH)
    app = create_app(config, [(item.listener.name, item.address) for item in bound])
    server = GateServer(uvicorn.Config(
        app, lifespan="on", log_level=config.log_level, timeout_graceful_shutdown=2,
        log_config=None, access_log=False,
    ), bound, Reloader(load, config, lambda: app.runtime, bound))
    asyncio.run(server.serve())
    return 0 if server.started else 1


async def _broker_only(config: Config, load: Callable[[], Config]) -> int:
    from mqttgate.runtime import Runtime
    from mqttgate.serving import Reloader

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
    loop.add_signal_handler(signal.SIGHUP, Reloader(load, config, lambda: runtime))
    await stop.wait()
    await runtime.stop()
    return 0


def backup_command(config: Config, action: str, filename: str | None) -> int:
    """`mqttgate backup create|list|restore`: the code the API runs, on the data_dir."""
    from mqttgate.broker.errors import GateError
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


def _add_api_key_commands(commands: argparse._SubParsersAction) -> None:
    api_key = commands.add_parser(
        "api-key", help="create, list and delete API keys of the REST API",
        description="Manage the API keys in data_dir's database, with or without a running server: a running "
                    "server sees the change at its next request.",
    )
    actions = api_key.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a key; prints KEY:SECRET (the secret is shown only now)")
    create.add_argument("name", help="unique name: a letter, then letters, digits, - and _")
    create.add_argument("--role", choices=["administrator", "viewer", "publisher"], default="administrator",
                        help="administrator (everything), viewer (GET only), publisher (POST /publish only)")
    create.add_argument("--desc", default="", help="description")
    create.add_argument("--expired-at", metavar="TIME", help="RFC 3339 time the key stops working (default: never)")
    create.add_argument("--disabled", action="store_true", help="create it disabled")
    listing = actions.add_parser("list", help="list the keys (never a secret)")
    listing.add_argument("--json", action="store_true", help="as the JSON of GET /api_key")
    delete = actions.add_parser("delete", help="delete a key")
    delete.add_argument("name")
    for parser in (create, listing, delete):
        parser.add_argument("--config", metavar="FILE", help=f"YAML configuration file (default: ${CONFIG_ENV})")
        parser.add_argument("--data-dir", metavar="DIR", help="data_dir holding the database")


def api_key_command(config: Config, args: argparse.Namespace) -> int:
    """Run `mqttgate api-key ACTION` on data_dir's database; the exit status."""
    from mqttgate.broker.api_keys import ApiKeys
    from mqttgate.broker.errors import GateError
    from mqttgate.broker.store import Store
    from mqttgate.handlers._time import parse_time_or_infinity, rfc3339, rfc3339_or_infinity

    store = Store(config.data_path / "mqttgate.db")
    try:
        keys = ApiKeys(store)
        if args.action == "create":
            key, secret = asyncio.run(keys.create(
                args.name, role=args.role, desc=args.desc, enable=not args.disabled,
                expired_at=parse_time_or_infinity(args.expired_at, "--expired-at"),
            ))
            print(f"{key.api_key}:{secret}", flush=True)
            print(f"mqttgate: created API key {key.name!r} ({key.role}); the secret is shown only now",
                  file=sys.stderr)
        elif args.action == "delete":
            keys.delete(args.name)
        else:
            now = datetime.now(UTC)
            rows = [{"name": k.name, "api_key": k.api_key, "role": k.role, "enable": k.enable,
                     "expired_at": rfc3339_or_infinity(k.expired_at), "expired": k.expired(now), "desc": k.desc,
                     "created_at": rfc3339(k.created_at)} for k in keys.list()]
            if args.json:
                print(json.dumps(rows, indent=2))
            else:
                print(f"{'NAME':24} {'API_KEY':18} {'ROLE':14} {'ENABLE':7} {'EXPIRED_AT':30} DESC")
                for row in rows:
                    print(f"{row['name']:24} {row['api_key']:18} {row['role']:14} {str(row['enable']).lower():7} "
                          f"{row['expired_at']:30} {row['desc']}")
    except GateError as exc:
        print(f"mqttgate: {exc.message}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0
