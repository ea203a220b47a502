"""`mqttgate clients|bans|users|acl|retained|publish|backups|traces|alarms|audit ...`: a running node managed
over its REST API (`mqttgate.api_client`), `--json` printing the API's answer as it is."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import ssl
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from mqttgate.api_client import ApiClient, ApiError
from mqttgate.config import CONFIG_ENV, KEY_ENV, URL_ENV, Config

Command = Callable[[ApiClient, argparse.Namespace], Any]
RULES = "/authorization/sources/built_in_database/rules"


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register the groups of commands that talk to a running node."""
    def group(name: str, help_text: str) -> argparse._SubParsersAction:
        parser = commands.add_parser(name, help=help_text, description=f"{help_text}, over its REST API.")
        return parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(actions: argparse._SubParsersAction, name: str, run: Command, help_text: str,
               columns: tuple[str, ...] = ()) -> argparse.ArgumentParser:
        parser = actions.add_parser(name, help=help_text, description=help_text)
        _connection_options(parser)
        parser.set_defaults(remote=run, columns=columns)
        return parser

    def paged(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parser.add_argument("--page", type=int, default=1)
        parser.add_argument("--limit", type=int, default=100)
        return parser

    clients = group("clients", "List, show and kick the MQTT clients of a running node")
    listing = paged(action(clients, "list", lambda api, a: api.call("list_clients", query={
        "page": a.page, "limit": a.limit, "like_clientid": a.like_clientid, "like_username": a.like_username,
        "conn_state": a.conn_state}), "list clients",
        ("clientid", "username", "connected", "ip_address", "port", "subscriptions_cnt")))
    listing.add_argument("--like-clientid")
    listing.add_argument("--like-username")
    listing.add_argument("--conn-state", choices=["connected", "disconnected"])
    action(clients, "show", lambda api, a: api.call("get_client", clientid=a.clientid),
           "one client").add_argument("clientid")
    action(clients, "kick", lambda api, a: api.call("kick_client", clientid=a.clientid),
           "close a client's connection and discard its session").add_argument("clientid")

    bans = group("bans", "Ban and unban clients of a running node")
    paged(action(bans, "list", lambda api, a: api.call("list_banned", query={"page": a.page, "limit": a.limit}),
                 "list the bans in force", ("as", "who", "by", "reason", "at", "until")))
    add = action(bans, "add", lambda api, a: api.call("create_banned", body={
        k: v for k, v in {"as": a.kind, "who": a.who, "reason": a.reason, "until": a.until}.items() if v is not None
    }), "ban", ("as", "who", "reason", "until"))
    add.add_argument("kind", metavar="AS",
                     choices=["clientid", "username", "peerhost", "clientid_re", "username_re", "peerhost_net"])
    add.add_argument("who")
    add.add_argument("--reason")
    add.add_argument("--until", help="RFC 3339 time the ban lapses (default: never)")
    delete = action(bans, "delete", lambda api, a: api.call("delete_banned", kind=a.kind, who=a.who), "lift a ban")
    delete.add_argument("kind", metavar="AS")
    delete.add_argument("who")
    action(bans, "clear", lambda api, a: api.call("clear_banned"), "lift every ban")

    users = group("users", "MQTT users of a running node's built-in database")
    listing = paged(action(users, "list", lambda api, a: api.call("list_users", query={
        "page": a.page, "limit": a.limit, "like_user_id": a.like_user_id}), "list users", ("user_id", "is_superuser")))
    listing.add_argument("--like-user-id")
    action(users, "show", lambda api, a: api.call("get_user", user_id=a.user_id), "one user").add_argument("user_id")
    add = action(users, "add", lambda api, a: api.call("create_user", body={
        "user_id": a.user_id, "password": _password(a), "is_superuser": a.superuser}),
        "add a user (the password from --password-stdin, else asked for)", ("user_id", "is_superuser"))
    add.add_argument("user_id")
    add.add_argument("--superuser", action="store_true")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    passwd = action(users, "passwd", lambda api, a: api.call("update_user", user_id=a.user_id,
                                                            body={"password": _password(a)}), "change a password")
    passwd.add_argument("user_id")
    passwd.add_argument("--password-stdin", action="store_true")
    action(users, "delete", lambda api, a: api.call("delete_user", user_id=a.user_id),
           "delete a user").add_argument("user_id")

    acl = group("acl", "ACL rules of a running node's built-in database")
    for kind, key, lister, getter, putter, deleter in (
            ("clients", "clientid", "list_client_rules", "get_client_rules", "put_client_rules",
             "delete_client_rules"),
            ("users", "username", "list_user_rules", "get_user_rules", "put_user_rules", "delete_user_rules")):
        paged(action(acl, f"list-{kind}", lambda api, a, op=lister: api.call(op, query={
            "page": a.page, "limit": a.limit}), f"the {kind} with rules", (key, "rules")))
        action(acl, f"show-{kind[:-1]}", lambda api, a, op=getter, k=key: api.call(op, **{k: a.who}),
               f"one {key}'s rules").add_argument("who", metavar=key.upper())
        setter = action(acl, f"set-{kind[:-1]}", lambda api, a, op=putter, k=key: api.call(
            op, body={k: a.who, "rules": _rules(a.rules)}, **{k: a.who}),
            f"replace one {key}'s rules (a JSON list of {{topic, permission, action}})")
        setter.add_argument("who", metavar=key.upper())
        setter.add_argument("rules", help='e.g. \'[{"topic": "a/#", "permission": "allow", "action": "all"}]\'')
        action(acl, f"delete-{kind[:-1]}", lambda api, a, op=deleter, k=key: api.call(op, **{k: a.who}),
               f"delete one {key}'s rules").add_argument("who", metavar=key.upper())
    action(acl, "show-all", lambda api, a: api.call("get_rules_for_all"), "the rules for all clients")
    action(acl, "set-all", lambda api, a: api.call("set_rules_for_all", body={"rules": _rules(a.rules)}),
           "replace the rules for all clients").add_argument("rules")
    action(acl, "delete-all", lambda api, a: api.call("delete_rules_for_all"), "delete the rules for all clients")

    retained = group("retained", "Retained messages of a running node")
    listing = paged(action(retained, "list", lambda api, a: api.call("list_retained", query={
        "page": a.page, "limit": a.limit, "topic": a.topic}), "list retained messages (no payloads)",
        ("topic", "qos", "publish_at", "from_clientid")))
    listing.add_argument("--topic", help="a topic filter")
    action(retained, "show", lambda api, a: api.call("get_retained", topic=a.topic),
           "one retained message with its payload (base64)").add_argument("topic")
    action(retained, "delete", lambda api, a: api.call("delete_retained", topic=a.topic),
           "delete one").add_argument("topic")
    clear = action(retained, "clear", lambda api, a: api.call("clear_retained", query={"topic": a.topic}),
                   "delete all, or those a topic filter matches")
    clear.add_argument("--topic")

    publish = commands.add_parser("publish", help="publish an MQTT message through a running node's API",
                                  description="Publish one message, as POST /publish does.")
    _connection_options(publish)
    publish.add_argument("topic")
    publish.add_argument("payload")
    publish.add_argument("--qos", type=int, choices=[0, 1, 2], default=0)
    publish.add_argument("--retain", action="store_true")
    publish.set_defaults(remote=lambda api, a: api.call("publish", body={
        "topic": a.topic, "payload": a.payload, "qos": a.qos, "retain": a.retain}), columns=())

    backups = group("backups", "Backups of a running node (offline, on data_dir: mqttgate backup)")
    paged(action(backups, "list", lambda api, a: api.call("list_backups", query={"page": a.page, "limit": a.limit}),
                 "list backup files", ("filename", "created_at", "node", "size")))
    action(backups, "create", lambda api, a: api.call("export_backup"), "take a backup",
           ("filename", "created_at", "size"))
    action(backups, "import", lambda api, a: api.call("import_backup", body={"filename": a.filename}),
           "restore a backup into the running node").add_argument("filename")
    action(backups, "delete", lambda api, a: api.call("delete_backup", filename=a.filename),
           "delete a backup file").add_argument("filename")
    download = action(backups, "download", lambda api, a: _save(api.call("download_backup", filename=a.filename,
                                                                         raw=True), a.output or a.filename),
                      "download a backup file")
    download.add_argument("filename")
    download.add_argument("--output", "-o")

    traces = group("traces", "Trace recordings of a running node")
    action(traces, "list", lambda api, a: api.call("list_traces"), "list traces",
           ("name", "type", "status", "start_at", "end_at", "log_size"))
    create = action(traces, "create", lambda api, a: api.call("create_trace", body=_trace(a)), "define a trace",
                    ("name", "type", "status", "start_at", "end_at"))
    create.add_argument("name")
    what = create.add_mutually_exclusive_group(required=True)
    what.add_argument("--clientid")
    what.add_argument("--topic")
    what.add_argument("--ip-address")
    create.add_argument("--start-at")
    create.add_argument("--end-at")
    create.add_argument("--payload-encode", choices=["text", "hex", "hidden"])
    action(traces, "stop", lambda api, a: api.call("stop_trace", name=a.name), "stop a trace").add_argument("name")
    action(traces, "delete", lambda api, a: api.call("delete_trace", name=a.name),
           "delete a trace").add_argument("name")
    log = action(traces, "log", lambda api, a: api.call("read_trace_log", name=a.name, query={"bytes": a.bytes}),
                 "read a trace's log")
    log.add_argument("name")
    log.add_argument("--bytes", type=int, default=1024 * 1024)

    alarms = group("alarms", "Alarms of a running node")
    listing = paged(action(alarms, "list", lambda api, a: api.call("list_alarms", query={
        "page": a.page, "limit": a.limit, "activated": None if a.activated is None else str(a.activated).lower()}),
        "list alarms", ("name", "activated", "activate_at", "message")))
    listing.add_argument("--activated", type=lambda v: v == "true", choices=[True, False], metavar="true|false")
    action(alarms, "clear", lambda api, a: api.call("clear_deactivated_alarms"), "forget the deactivated alarms")

    audit = group("audit", "The audit log of a running node")
    paged(action(audit, "list", lambda api, a: api.call("list_audit", query={"page": a.page, "limit": a.limit}),
                 "list changes, newest first",
                 ("created_at", "from", "source", "source_ip", "operation_id", "http_status_code")))


def _connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the API's JSON answer")
    parser.add_argument("--url", help=f"the API, e.g. https://host:8888/api/v5 (default: ${URL_ENV}, else the "
                                      "first REST listener of the configuration)")
    parser.add_argument("--api-key", metavar="KEY:SECRET",
                        help=f"credentials (default: ${KEY_ENV}, else data_dir/initial_api_key)")
    parser.add_argument("--cacert", metavar="FILE", help="CA certificates to check an HTTPS server with")
    parser.add_argument("--cert", metavar="FILE", help="client certificate (mutual TLS)")
    parser.add_argument("--key", metavar="FILE", help="the client certificate's key")
    parser.add_argument("--config", metavar="FILE", help=f"YAML configuration file (default: ${CONFIG_ENV})")
    parser.add_argument("--data-dir", metavar="DIR", help="data_dir")


def run(config: Config, args: argparse.Namespace) -> int:
    """Run a command against the node; the exit status (1: the API refused it or cannot be reached)."""
    url = args.url or os.environ.get(URL_ENV) or _url_of(config)
    try:
        api = ApiClient(url, _credentials(config, args), verify=_verify(args))
    except (OSError, ssl.SSLError) as exc:
        print(f"mqttgate: cannot load the TLS files: {exc}", file=sys.stderr)
        return 2
    try:
        result = args.remote(api, args)
    except ApiError as exc:
        print(f"mqttgate: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    except httpx.HTTPError as exc:
        print(f"mqttgate: cannot reach the API at {url}: {exc}", file=sys.stderr)
        return 1
    finally:
        api.close()
    show(result, as_json=args.json, columns=args.columns)
    return 0


def show(result: Any, *, as_json: bool, columns: tuple[str, ...] = ()) -> None:
    """Print an answer: its JSON, or a table of its items, or its fields one a line."""
    if as_json:
        print(json.dumps({"ok": True} if result is None else result, indent=2))
        return
    if result is None:
        print("ok")
        return
    rows = result.get("data") if isinstance(result, dict) and isinstance(result.get("data"), list) else result
    if isinstance(rows, list):
        if rows and isinstance(rows[0], dict):
            names = [c for c in columns if any(c in row for row in rows)] or list(rows[0])
            table = [[_cell(row.get(name)) for name in names] for row in rows]
            widths = [max(len(name), *(len(line[i]) for line in table)) for i, name in enumerate(names)]
            print("  ".join(name.upper().ljust(width) for name, width in zip(names, widths, strict=True)).rstrip())
            for line in table:
                print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
        else:
            for row in rows:
                print(_cell(row))
        return
    if isinstance(result, dict):
        for key, value in result.items():
            print(f"{key}: {_cell(value)}")
        return
    print(result)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return "" if value is None else str(value)


def _url_of(config: Config) -> str:
    listener = config.rest_api.listeners[0]
    host = listener.bind_address
    host = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{'https' if listener.tls else 'http'}://{host}:{listener.port}/api/v5"


def _credentials(config: Config, args: argparse.Namespace) -> tuple[str, str] | None:
    text = args.api_key or os.environ.get(KEY_ENV)
    if not text:
        first = config.data_path / "initial_api_key"
        text = first.read_text().strip() if first.is_file() else ""
    key, sep, secret = text.partition(":")
    return (key, secret) if sep else None


def _verify(args: argparse.Namespace) -> bool | ssl.SSLContext:
    if not (args.cacert or args.cert):
        return True
    context = ssl.create_default_context(cafile=args.cacert)
    if args.cert:
        context.load_cert_chain(args.cert, args.key)
    return context


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(f"password for {args.user_id}: ")


def _rules(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise SystemExit(f"mqttgate: rules must be a JSON list: {text!r}") from None


def _trace(args: argparse.Namespace) -> dict[str, Any]:
    kind = "clientid" if args.clientid else "topic" if args.topic else "ip_address"
    body = {"name": args.name, "type": kind, kind: args.clientid or args.topic or args.ip_address,
            "start_at": args.start_at, "end_at": args.end_at, "payload_encode": args.payload_encode}
    return {key: value for key, value in body.items() if value is not None}


def _save(data: bytes, path: str) -> dict[str, Any]:
    Path(path).write_bytes(data)
    return {"file": path, "size": len(data)}
