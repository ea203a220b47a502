"""`mqttgate clients|bans|users|acl|retained|publish|backups|traces|alarms|audit ...`: a running node managed
over its REST API through the client generated from the spec (`mqttgate.client`), `--json` printing the API's
answer as it is."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import ssl
import sys
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from mqttgate import __version__
from mqttgate.client import Client
from mqttgate.client.api.alarms import clear_deactivated_alarms, list_alarms
from mqttgate.client.api.audit import list_audit
from mqttgate.client.api.authentication import create_user, delete_user, get_user, list_users, update_user
from mqttgate.client.api.authorization import (
    delete_client_rules,
    delete_rules_for_all,
    delete_user_rules,
    get_client_rules,
    get_rules_for_all,
    get_user_rules,
    list_client_rules,
    list_user_rules,
    put_client_rules,
    put_user_rules,
    set_rules_for_all,
)
from mqttgate.client.api.banned import clear_banned, create_banned, delete_banned, list_banned
from mqttgate.client.api.clients import get_client, kick_client, list_clients
from mqttgate.client.api.data import delete_backup, download_backup, export_backup, import_backup, list_backups
from mqttgate.client.api.publish import publish
from mqttgate.client.api.retainer import clear_retained, delete_retained, get_retained, list_retained
from mqttgate.client.api.trace import create_trace, delete_trace, list_traces, read_trace_log, stop_trace
from mqttgate.client.models import (
    AclClientRulesUpdate,
    AclRule,
    AclRules,
    AclUserRulesUpdate,
    BackupImport,
    BanCreate,
    BanKind,
    Error,
    ListClientsConnState,
    MqttUserCreate,
    MqttUserUpdate,
    PublishMessage,
    PublishMessageQos,
    TimeOrInfinityType1,
    TraceCreate,
    TraceCreatePayloadEncode,
    TraceCreateType,
)
from mqttgate.config import CONFIG_ENV, KEY_ENV, URL_ENV, Config

USER_AGENT = f"mqttgate-cli/{__version__}"  # the audit log marks changes made with it as `from: cli`


class ApiError(Exception):
    """The API answered with an error: its status, and EMQX's code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message = status, code, message


class Api:
    """One node's REST API through the generated client: each call gives the API's JSON answer.

    Args:
        base_url: e.g. `https://127.0.0.1:8888/api/v5`.
        credentials: (API key, secret), sent as HTTP Basic.
        verify: httpx's `verify`: True, False, or an `ssl.SSLContext` (a CA file, a client certificate).
    """

    def __init__(self, base_url: str, credentials: tuple[str, str] | None,
                 verify: bool | ssl.SSLContext = True, timeout: float = 30.0) -> None:
        self.client = Client(base_url=base_url.rstrip("/"), headers={"User-Agent": USER_AGENT},
                             timeout=httpx.Timeout(timeout), verify_ssl=verify,
                             httpx_args={"event_hooks": {"response": [self._keep]},
                                         **({"auth": credentials} if credentials else {})})
        self._answer: httpx.Response | None = None

    def _keep(self, response: httpx.Response) -> None:
        self._answer = response

    def __call__(self, operation: ModuleType, *, raw: bool = False, **arguments: Any) -> Any:
        """Run one operation (a module of `mqttgate.client.api`), the arguments left None not sent; its JSON
        answer as the server wrote it (None for an empty one; bytes with `raw`).

        Raises:
            ApiError: an error answer, or one the spec does not describe.
            httpx.HTTPError: the server cannot be reached.
        """
        self._answer = None
        try:
            response = operation.sync_detailed(client=self.client, **_given(**arguments))
            status, content, parsed = response.status_code, response.content, response.parsed
        except (ValueError, KeyError, TypeError) as exc:  # the generated client cannot parse the answer
            answer = self._answer
            if answer is None or answer.status_code < 400:
                raise ApiError(0 if answer is None else answer.status_code, "UNEXPECTED_ANSWER",
                               f"the API's answer does not follow its spec: {exc!r}") from None
            status, content, parsed = answer.status_code, answer.content, None  # e.g. a proxy's HTML page
        if status >= 400:
            if isinstance(parsed, Error):
                raise ApiError(status, parsed.code, parsed.message)
            try:  # a status the operation does not document, or an error body not the API's
                error = json.loads(content)
                raise ApiError(status, error["code"], error["message"])
            except (ValueError, KeyError, TypeError):
                raise ApiError(status, "HTTP_ERROR", f"HTTP {status}: {content.decode(errors='replace')[:200]}") \
                    from None
        if raw:
            return content
        return json.loads(content) if content else None

    def close(self) -> None:
        self.client.get_httpx_client().close()


Command = Callable[[Api, argparse.Namespace], Any]


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
    listing = paged(action(clients, "list", lambda api, a: api(
        list_clients, page=a.page, limit=a.limit, like_clientid=a.like_clientid, like_username=a.like_username,
        conn_state=a.conn_state), "list clients",
        ("clientid", "username", "connected", "ip_address", "port", "subscriptions_cnt")))
    listing.add_argument("--like-clientid")
    listing.add_argument("--like-username")
    _choice(listing, "--conn-state", ListClientsConnState)
    action(clients, "show", lambda api, a: api(get_client, clientid=a.clientid),
           "one client").add_argument("clientid")
    action(clients, "kick", lambda api, a: api(kick_client, clientid=a.clientid),
           "close a client's connection and discard its session").add_argument("clientid")

    bans = group("bans", "Ban and unban clients of a running node")
    paged(action(bans, "list", lambda api, a: api(list_banned, page=a.page, limit=a.limit),
                 "list the bans in force", ("as", "who", "by", "reason", "at", "until")))
    add = action(bans, "add", lambda api, a: api(create_banned, body=BanCreate(**_given(
        as_=a.kind, who=a.who, reason=a.reason, until=a.until))), "ban", ("as", "who", "reason", "until"))
    _choice(add, "kind", BanKind, metavar="AS")
    add.add_argument("who")
    add.add_argument("--reason")
    add.add_argument("--until", type=_time_or_infinity, help="RFC 3339 time the ban lapses (default: never)")
    delete = action(bans, "delete", lambda api, a: api(delete_banned, kind=a.kind, who=a.who), "lift a ban")
    _choice(delete, "kind", BanKind, metavar="AS")
    delete.add_argument("who")
    action(bans, "clear", lambda api, a: api(clear_banned), "lift every ban")

    users = group("users", "MQTT users of a running node's built-in database")
    listing = paged(action(users, "list", lambda api, a: api(
        list_users, page=a.page, limit=a.limit, like_user_id=a.like_user_id), "list users",
        ("user_id", "is_superuser")))
    listing.add_argument("--like-user-id")
    action(users, "show", lambda api, a: api(get_user, user_id=a.user_id), "one user").add_argument("user_id")
    add = action(users, "add", lambda api, a: api(create_user, body=MqttUserCreate(
        user_id=a.user_id, password=_password(a), is_superuser=a.superuser)),
        "add a user (the password from --password-stdin, else asked for)", ("user_id", "is_superuser"))
    add.add_argument("user_id")
    add.add_argument("--superuser", action="store_true")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    passwd = action(users, "passwd", lambda api, a: api(update_user, user_id=a.user_id,
                                                       body=MqttUserUpdate(password=_password(a))),
                    "change a password")
    passwd.add_argument("user_id")
    passwd.add_argument("--password-stdin", action="store_true")
    action(users, "delete", lambda api, a: api(delete_user, user_id=a.user_id),
           "delete a user").add_argument("user_id")

    acl = group("acl", "ACL rules of a running node's built-in database")
    for kind, key, lister, getter, putter, deleter, update in (
            ("clients", "clientid", list_client_rules, get_client_rules, put_client_rules, delete_client_rules,
             AclClientRulesUpdate),
            ("users", "username", list_user_rules, get_user_rules, put_user_rules, delete_user_rules,
             AclUserRulesUpdate)):
        paged(action(acl, f"list-{kind}", lambda api, a, op=lister: api(op, page=a.page, limit=a.limit),
                     f"the {kind} with rules", (key, "rules")))
        action(acl, f"show-{kind[:-1]}", lambda api, a, op=getter, k=key: api(op, **{k: a.who}),
               f"one {key}'s rules").add_argument("who", metavar=key.upper())
        setter = action(acl, f"set-{kind[:-1]}", lambda api, a, op=putter, k=key, model=update: api(
            op, body=model(rules=_rules(a.rules), **{k: a.who}), **{k: a.who}),
            f"replace one {key}'s rules (a JSON list of {{topic, permission, action}})")
        setter.add_argument("who", metavar=key.upper())
        setter.add_argument("rules", help='e.g. \'[{"topic": "a/#", "permission": "allow", "action": "all"}]\'')
        action(acl, f"delete-{kind[:-1]}", lambda api, a, op=deleter, k=key: api(op, **{k: a.who}),
               f"delete one {key}'s rules").add_argument("who", metavar=key.upper())
    action(acl, "show-all", lambda api, a: api(get_rules_for_all), "the rules for all clients")
    action(acl, "set-all", lambda api, a: api(set_rules_for_all, body=AclRules(rules=_rules(a.rules))),
           "replace the rules for all clients").add_argument("rules")
    action(acl, "delete-all", lambda api, a: api(delete_rules_for_all), "delete the rules for all clients")

    retained = group("retained", "Retained messages of a running node")
    listing = paged(action(retained, "list", lambda api, a: api(
        list_retained, page=a.page, limit=a.limit, topic=a.topic), "list retained messages (no payloads)",
        ("topic", "qos", "publish_at", "from_clientid")))
    listing.add_argument("--topic", help="a topic filter")
    action(retained, "show", lambda api, a: api(get_retained, topic=a.topic),
           "one retained message with its payload (base64)").add_argument("topic")
    action(retained, "delete", lambda api, a: api(delete_retained, topic=a.topic),
           "delete one").add_argument("topic")
    clear = action(retained, "clear", lambda api, a: api(clear_retained, topic=a.topic),
                   "delete all, or those a topic filter matches")
    clear.add_argument("--topic")

    publishing = commands.add_parser("publish", help="publish an MQTT message through a running node's API",
                                     description="Publish one message, as POST /publish does.")
    _connection_options(publishing)
    publishing.add_argument("topic")
    publishing.add_argument("payload")
    _choice(publishing, "--qos", PublishMessageQos, default=PublishMessageQos.VALUE_0)
    publishing.add_argument("--retain", action="store_true")
    publishing.set_defaults(remote=lambda api, a: api(publish, body=PublishMessage(
        topic=a.topic, payload=a.payload, qos=a.qos, retain=a.retain)), columns=())

    backups = group("backups", "Backups of a running node (offline, on data_dir: mqttgate backup)")
    paged(action(backups, "list", lambda api, a: api(list_backups, page=a.page, limit=a.limit),
                 "list backup files", ("filename", "created_at", "node", "size")))
    action(backups, "create", lambda api, a: api(export_backup), "take a backup",
           ("filename", "created_at", "size"))
    action(backups, "import", lambda api, a: api(import_backup, body=BackupImport(filename=a.filename)),
           "restore a backup into the running node").add_argument("filename")
    action(backups, "delete", lambda api, a: api(delete_backup, filename=a.filename),
           "delete a backup file").add_argument("filename")
    download = action(backups, "download", lambda api, a: _save(api(download_backup, filename=a.filename,
                                                                    raw=True), a.output or a.filename),
                      "download a backup file")
    download.add_argument("filename")
    download.add_argument("--output", "-o")

    traces = group("traces", "Trace recordings of a running node")
    action(traces, "list", lambda api, a: api(list_traces), "list traces",
           ("name", "type", "status", "start_at", "end_at", "log_size"))
    create = action(traces, "create", lambda api, a: api(create_trace, body=_trace(a)), "define a trace",
                    ("name", "type", "status", "start_at", "end_at"))
    create.add_argument("name")
    what = create.add_mutually_exclusive_group(required=True)
    what.add_argument("--clientid")
    what.add_argument("--topic")
    what.add_argument("--ip-address")
    create.add_argument("--start-at", help="RFC 3339 time")
    create.add_argument("--end-at", help="RFC 3339 time")
    _choice(create, "--payload-encode", TraceCreatePayloadEncode)
    action(traces, "stop", lambda api, a: api(stop_trace, name=a.name), "stop a trace").add_argument("name")
    action(traces, "delete", lambda api, a: api(delete_trace, name=a.name),
           "delete a trace").add_argument("name")
    log = action(traces, "log", lambda api, a: api(read_trace_log, name=a.name, bytes_=a.bytes),
                 "read a trace's log")
    log.add_argument("name")
    log.add_argument("--bytes", type=int, default=1024 * 1024)

    alarms = group("alarms", "Alarms of a running node")
    listing = paged(action(alarms, "list", lambda api, a: api(
        list_alarms, page=a.page, limit=a.limit, activated=a.activated),
        "list alarms", ("name", "activated", "activate_at", "message")))
    listing.add_argument("--activated", type=lambda v: v == "true", choices=[True, False], metavar="true|false")
    action(alarms, "clear", lambda api, a: api(clear_deactivated_alarms), "forget the deactivated alarms")

    audit = group("audit", "The audit log of a running node")
    paged(action(audit, "list", lambda api, a: api(list_audit, page=a.page, limit=a.limit),
                 "list changes, newest first",
                 ("created_at", "from", "source", "source_ip", "operation_id", "http_status_code")))


def _choice(parser: argparse.ArgumentParser, name: str, values: type[Enum], **options: Any) -> None:
    """An argument taking one of a spec's enum values, as the generated enum; argparse refuses the others."""
    parser.add_argument(name, type=_enum(values), choices=list(values), **options)


def _enum(values: type[Enum]) -> Callable[[str], Enum]:
    kind = type(next(iter(values)).value)  # str, or int for an IntEnum

    def parse(text: str) -> Enum:
        try:
            return values(kind(text))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"invalid choice: {text!r} (choose from {', '.join(str(v) for v in values)})") from None
    return parse


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
        api = Api(url, _credentials(config, args), verify=_verify(args))
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


def _rules(text: str) -> list[AclRule]:
    try:
        return [AclRule.from_dict(rule) for rule in json.loads(text)]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SystemExit(f"mqttgate: rules must be a JSON list of {{topic, permission, action}}: {text!r}") from None


def _time_or_infinity(text: str) -> datetime | TimeOrInfinityType1:
    if text == TimeOrInfinityType1.INFINITY:
        return TimeOrInfinityType1.INFINITY
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid time {text!r}: RFC 3339 (or infinity) expected") from None


def _trace(args: argparse.Namespace) -> TraceCreate:
    kind = TraceCreateType.CLIENTID if args.clientid else TraceCreateType.TOPIC if args.topic \
        else TraceCreateType.IP_ADDRESS
    who = {kind.value: args.clientid or args.topic or args.ip_address}
    return TraceCreate(**_given(name=args.name, type_=kind, **who, start_at=args.start_at, end_at=args.end_at,
                                payload_encode=args.payload_encode))


def _given(**values: Any) -> dict[str, Any]:
    """The values given, for the generated client's arguments and models (whose absent ones are UNSET)."""
    return {name: value for name, value in values.items() if value is not None}


def _save(data: bytes, path: str) -> dict[str, Any]:
    Path(path).write_bytes(data)
    return {"file": path, "size": len(data)}
