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
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from mqttgate import __version__, logs
from mqttgate.config import CONFIG_ENV, Config, ConfigError, load_config

# the commands that work without a running node; the others talk to one (cli_remote), and
# building their parsers imports the generated client's 81 models (a third of a second)
LOCAL_COMMANDS = ("serve", "backup", "api-key", "check-config")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
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
    backup.add_argument("--json", action="store_true", help="print JSON (as the API's answers)")
    for sub in (backup,):
        sub.add_argument("--config", metavar="FILE", help=f"YAML configuration file (default: ${CONFIG_ENV})")
        sub.add_argument("--data-dir", metavar="DIR", help="data_dir")
    _add_api_key_commands(commands)
    words = [arg for arg in argv if not arg.startswith("-")]
    _add_operator_commands(commands, remote=not words or words[0] not in LOCAL_COMMANDS)  # the help lists them all
    args = parser.parse_args(argv)
    try:
        config = _config_from(args)
    except ConfigError as exc:
        print(f"mqttgate: invalid configuration: {exc}", file=sys.stderr)
        sys.exit(2)
    if args.command == "check-config":
        sys.exit(check_config_command(config, args))
    if getattr(args, "remote", None):
        from mqttgate import cli_remote

        sys.exit(cli_remote.run(config, args))
    if args.command == "backup":
        sys.exit(backup_command(config, args.action, args.filename, args.json))
    if args.command == "api-key":
        sys.exit(api_key_command(config, args))
    logs.configure(config)
    sys.exit(serve_forever(config, lambda: _config_from(args)))


def _config_from(args: argparse.Namespace) -> Config:
    """The file and the environment (read again on each call, as SIGHUP does), then the command line's options."""
    config = load_config(args.config or os.environ.get(CONFIG_ENV))
    if args.data_dir:
        config = replace(config, data_dir=args.data_dir)
    if getattr(args, "log_level", None):  # serve's alone
        config = replace(config, log_level=args.log_level)
    return config


def serve_forever(config: Config, load: Callable[[], Config] | None = None) -> int:
    """Serve until a stop signal; the exit status. SIGHUP reloads what `serving.Reloader` says, read by `load`."""
    load = load or (lambda: config)
    if not config.rest_api.enabled:
        return asyncio.run(_broker_only(config, load))
    import uvicorn

    from mqttgate.app import API_BASE, DOCS_PATH, create_app, uvicorn_options
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
        log_config=None, access_log=False, **uvicorn_options(config),
    ), bound, Reloader(load, config, lambda: app.runtime, bound))
    # on uvloop where installed (uvicorn's `loop="auto"`), as under gunicorn
    with asyncio.Runner(loop_factory=server.config.get_loop_factory()) as runner:
        runner.run(server.serve())
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


def backup_command(config: Config, action: str, filename: str | None, as_json: bool = False) -> int:
    """`mqttgate backup create|list|restore`: the code the API runs, on the data_dir."""
    from mqttgate.broker.errors import BrokerOwned, GateError
    from mqttgate.handlers._time import rfc3339
    from mqttgate.runtime import offline_backups

    started = time.monotonic()
    ok = False
    try:
        with offline_backups(config, exclusive=action == "restore") as backups:
            if action == "create":
                made = asyncio.run(backups.export())
                if as_json:
                    print(json.dumps({"filename": made.filename, "node": made.node,
                                      "created_at": rfc3339(made.created_at), "size": made.size}, indent=2))
                else:
                    print(f"{backups.directory / made.filename} ({made.size} bytes)")
            elif action == "list":
                page = backups.list(page=1, limit=10_000)
                rows = [{"filename": item.filename, "node": item.node, "created_at": rfc3339(item.created_at),
                         "size": item.size} for item in page.items]
                if as_json:
                    print(json.dumps(rows, indent=2))
                for row in [] if as_json else rows:
                    print(f"{row['filename']}  {row['created_at']}  {row['node']}  {row['size']} bytes")
            else:
                if not filename:
                    print("mqttgate: backup restore needs a file name", file=sys.stderr)
                    return 2
                asyncio.run(backups.restore(backups.adopt(filename)))
                print(json.dumps({"restored": filename}) if as_json else f"restored {filename}")
        ok = True
    except BrokerOwned:
        print(f"mqttgate: mqttgate is running on data_dir {config.data_path.resolve()}: stop it before restoring, "
              "or restore into the running server with POST /api/v5/data/import "
              f"(mqttgate backups import {filename or 'FILE'})", file=sys.stderr)
        return 1
    except GateError as exc:
        print(f"mqttgate: {exc.message}", file=sys.stderr)
        return 1
    finally:
        if action != "list":
            _audit_offline(config, f"backup.{action}", {"filename": filename} if filename else {}, ok, started)
    return 0


def _audit_offline(config: Config, operation: str, arguments: dict[str, object], ok: bool, started: float) -> None:
    """Record a change the command line made on data_dir itself in the audit log (never a secret)."""
    if not config.audit.enabled:
        return
    import getpass

    from mqttgate.broker.ops.audit import AuditEntry, insert, now_ms
    from mqttgate.broker.store import Store
    from mqttgate.runtime import node_name

    try:
        store = Store(config.data_path / "mqttgate.db")
    except Exception as exc:  # the change is made; a missing audit entry is reported, not fatal
        print(f"mqttgate: the audit log cannot be written: {exc}", file=sys.stderr)
        return
    try:
        insert(store.db, AuditEntry(
            created_at=now_ms(), node=node_name(), origin="cli", source=getpass.getuser(), source_ip="",
            operation_id=operation, operation_type=operation.partition(".")[0],
            operation_result="success" if ok else "failure", http_method="cli", http_status_code=0,
            duration_ms=int((time.monotonic() - started) * 1000), http_request={"args": arguments},
        ), config.audit.max_entries)
    except Exception as exc:
        print(f"mqttgate: the audit log cannot be written: {exc}", file=sys.stderr)
    finally:
        store.close()


def check_config_command(config: Config, args: argparse.Namespace) -> int:
    """`mqttgate check-config`: the configuration valid, and its certificates loadable; print it, secrets masked."""
    import dataclasses

    import yaml

    from mqttgate.serving import tls_context

    try:
        for listener in config.rest_api.listeners:
            if listener.tls:
                tls_context(listener)
        for mqtt in config.mqtt.listeners.values():
            if mqtt.type in ("tls", "wss"):
                ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(mqtt.certfile, mqtt.keyfile)
    except (OSError, ssl.SSLError) as exc:
        print(f"mqttgate: invalid configuration: a certificate and key cannot be loaded: {exc}", file=sys.stderr)
        return 2
    effective = mask_secrets(dataclasses.asdict(config))
    sys.stdout.write(json.dumps(effective, indent=2) + "\n" if args.json
                     else yaml.safe_dump(effective, sort_keys=False))
    print("mqttgate: configuration OK", file=sys.stderr)
    return 0


SECRET_WORDS = ("password", "secret", "token", "credential", "passphrase")


def mask_secrets(value: object, key: str = "") -> object:
    """A copy with the values of keys naming a secret (password, secret, token ...) masked."""
    if isinstance(value, dict):
        return {k: mask_secrets(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v, key) for v in value]
    if value not in (None, "") and any(word in key.lower() for word in SECRET_WORDS):
        return "******"
    return value


def _add_operator_commands(commands: argparse._SubParsersAction, *, remote: bool) -> None:
    check = commands.add_parser(
        "check-config", help="validate the configuration and print it, secrets masked",
        description="Validate the configuration (file and environment, as serve reads them) and that its "
                    "certificates load; print the effective configuration with secrets masked. Exit status 2 "
                    "if it is invalid.")
    check.add_argument("--config", metavar="FILE", help=f"YAML configuration file (default: ${CONFIG_ENV})")
    check.add_argument("--data-dir", metavar="DIR", help="data_dir")
    check.add_argument("--json", action="store_true", help="print JSON rather than YAML")
    if remote:
        from mqttgate import cli_remote

        cli_remote.add_commands(commands)


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
    create.add_argument("--json", action="store_true", help="as the JSON of POST /api_key")
    delete = actions.add_parser("delete", help="delete a key")
    delete.add_argument("name")
    delete.add_argument("--json", action="store_true", help="print JSON")
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
    started, ok = time.monotonic(), False
    try:
        keys = ApiKeys(store)
        if args.action == "create":
            key, secret = asyncio.run(keys.create(
                args.name, role=args.role, desc=args.desc, enable=not args.disabled,
                expired_at=parse_time_or_infinity(args.expired_at, "--expired-at"),
            ))
            if args.json:
                print(json.dumps({"name": key.name, "api_key": key.api_key, "api_secret": secret, "role": key.role,
                                  "enable": key.enable, "expired_at": rfc3339_or_infinity(key.expired_at),
                                  "desc": key.desc}, indent=2), flush=True)
            else:
                print(f"{key.api_key}:{secret}", flush=True)
            print(f"mqttgate: created API key {key.name!r} ({key.role}); the secret is shown only now",
                  file=sys.stderr)
            ok = True
        elif args.action == "delete":
            keys.delete(args.name)
            ok = True
            if args.json:
                print(json.dumps({"deleted": args.name}))
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
        if args.action != "list":
            _audit_offline(config, f"api_key.{args.action}", {"name": args.name, **(
                {"role": args.role} if args.action == "create" else {})}, ok, started)
    return 0
