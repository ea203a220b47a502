"""The command line against a live `mqttgate serve`: clients, bans, users, ACL, retained, publish, backups,
traces, alarms and audit over the REST API, `--json` everywhere; check-config."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import threading

import httpx
import pytest

from tests.certs import TestCA
from tests.conftest import MqttClient, wait_for
from tests.processes import BIN, Process, free_port
from tests.test_rest_tls import listener_env

# every step is a new `mqttgate` process: a test of a dozen commands takes minutes on a loaded machine
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = Process([BIN / "mqttgate", "serve"], tmp_path_factory.mktemp("cli"))
    process.wait_ready(60)
    yield process
    process.stop(signal.SIGTERM, timeout=30)  # a loaded machine: seen past the 5 s default
    process.close()


def cli(server: Process, *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / "mqttgate"), *args], capture_output=True, text=True, input=stdin, timeout=60,
                            env={**os.environ, "MQTTGATE_CONFIG": str(server.config_file),
                                 "MQTTGATE_URL": server.url, **(env or {})})
    if check:
        assert result.returncode == 0, f"{args}: {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def cli_json(server: Process, *args: str, **options) -> object:
    return json.loads(cli(server, *args, "--json", **options).stdout)


def test_clients_list_show_kick(server):
    client = MqttClient(server.mqtt_port, "cli-client").connect()
    try:
        listed = cli_json(server, "clients", "list")
        assert [c["clientid"] for c in listed["data"]] == ["cli-client"]
        assert "cli-client" in cli(server, "clients", "list", "--like-clientid", "cli").stdout
        assert cli_json(server, "clients", "show", "cli-client")["connected"] is True
        assert cli_json(server, "clients", "kick", "cli-client") == {"ok": True}
        assert wait_for(lambda: client.disconnected)
        missing = cli(server, "clients", "show", "never-connected", check=False)
        assert missing.returncode == 1 and "CLIENTID_NOT_FOUND" in missing.stderr
    finally:
        client.close()


def test_bans_users_and_acl_rules(server):
    assert cli_json(server, "bans", "add", "clientid", "bad-one", "--reason", "cli")["who"] == "bad-one"
    assert [b["who"] for b in cli_json(server, "bans", "list")["data"]] == ["bad-one"]
    table = cli(server, "bans", "list").stdout.splitlines()
    assert table[0].split()[:2] == ["AS", "WHO"] and "bad-one" in table[1]
    cli(server, "bans", "delete", "clientid", "bad-one")
    assert cli_json(server, "bans", "list")["data"] == []

    cli(server, "users", "add", "dev-1", "--password-stdin", stdin="pw-dev-1\n")
    assert [u["user_id"] for u in cli_json(server, "users", "list")["data"]] == ["dev-1"]
    cli(server, "users", "passwd", "dev-1", "--password-stdin", stdin="pw-new\n")
    refused = MqttClient(server.mqtt_port, "dev-1")
    refused.client.username_pw_set("dev-1", "pw-dev-1")
    accepted = MqttClient(server.mqtt_port, "dev-1b")
    accepted.client.username_pw_set("dev-1", "pw-new")
    try:
        assert refused.connect().connack != 0
        assert accepted.connect().connack == 0
    finally:
        refused.close()
        accepted.close()
    rules = '[{"topic": "dev/#", "permission": "allow", "action": "all"}]'
    cli(server, "acl", "set-client", "dev-1", rules)
    assert cli_json(server, "acl", "show-client", "dev-1")["rules"][0]["topic"] == "dev/#"
    assert [r["clientid"] for r in cli_json(server, "acl", "list-clients")["data"]] == ["dev-1"]
    cli(server, "acl", "set-all", rules)
    assert cli_json(server, "acl", "show-all")["rules"][0]["permission"] == "allow"
    cli(server, "acl", "delete-client", "dev-1")
    cli(server, "acl", "delete-all")
    cli(server, "users", "delete", "dev-1")
    assert cli_json(server, "users", "list")["data"] == []
    bad = cli(server, "acl", "set-all", "not json", check=False)
    assert bad.returncode != 0 and "JSON" in bad.stderr


def test_typed_arguments_user_rules_and_the_servers_refusals(server):
    # the spec's enums are the arguments' choices (the generated client's), refused before any request
    for args in (("clients", "list", "--conn-state", "asleep"), ("bans", "add", "nickname", "x"),
                 ("bans", "delete", "nickname", "x"), ("publish", "t", "p", "--qos", "3"),
                 ("bans", "add", "clientid", "x", "--until", "next tuesday"),
                 ("traces", "create", "t", "--topic", "a/#", "--payload-encode", "base64")):
        refused = cli(server, *args, check=False)
        assert refused.returncode == 2 and "invalid" in refused.stderr, (args, refused.stderr)
    # what the server refuses: its code and message, exit status 1
    bad = cli(server, "bans", "add", "clientid_re", "(a)\\1", check=False)
    assert bad.returncode == 1, bad.stderr
    assert bad.stderr.startswith("mqttgate: BAD_REQUEST: Invalid regular expression"), bad.stderr
    assert bad.stdout == ""
    assert cli_json(server, "bans", "add", "username", "u-until", "--until", "2099-01-01T00:00:00Z")[
        "until"].startswith("2099-01-01T00:00:00")
    assert cli_json(server, "bans", "add", "username", "u-forever", "--until", "infinity")["until"] == "infinity"
    assert {b["who"] for b in cli_json(server, "bans", "list")["data"]} >= {"u-until", "u-forever"}
    assert cli_json(server, "bans", "clear") == {"ok": True}
    assert cli_json(server, "bans", "list")["data"] == []

    rules = '[{"topic": "u/#", "permission": "deny", "action": "subscribe"}]'
    assert cli_json(server, "acl", "set-user", "u-1", rules) == {"ok": True}
    assert cli_json(server, "acl", "show-user", "u-1") == {
        "username": "u-1", "rules": [{"topic": "u/#", "permission": "deny", "action": "subscribe"}]}
    assert [r["username"] for r in cli_json(server, "acl", "list-users")["data"]] == ["u-1"]
    cli(server, "acl", "delete-user", "u-1")
    assert cli_json(server, "acl", "list-users")["data"] == []
    wrong = cli(server, "acl", "set-user", "u-1", '[{"topic": "u/#", "permission": "maybe", "action": "all"}]',
                check=False)
    assert wrong.returncode != 0 and "JSON list of {topic, permission, action}" in wrong.stderr
    missing = cli(server, "acl", "show-user", "nobody-has-rules", check=False)
    assert missing.returncode == 1 and missing.stderr.startswith("mqttgate: NOT_FOUND: "), missing.stderr

    traced = cli_json(server, "traces", "create", "cli-hex", "--clientid", "c-hex", "--payload-encode", "hex")
    assert (traced["type"], traced["clientid"], traced["payload_encode"]) == ("clientid", "c-hex", "hex")
    cli(server, "traces", "delete", "cli-hex")


def test_publish_and_retained(server):
    subscriber = MqttClient(server.mqtt_port, "cli-sub").connect()
    try:
        subscriber.subscribe("cli/#", 1)
        answer = cli_json(server, "publish", "cli/kept", "hello", "--qos", "1", "--retain")
        assert "id" in answer
        assert wait_for(lambda: [m.payload for m in subscriber.messages] == [b"hello"])
    finally:
        subscriber.close()
    assert [m["topic"] for m in cli_json(server, "retained", "list")["data"]] == ["cli/kept"]
    assert cli_json(server, "retained", "show", "cli/kept")["payload"] == "aGVsbG8="
    cli(server, "retained", "delete", "cli/kept")
    assert cli_json(server, "retained", "list", "--topic", "cli/#")["data"] == []


def test_backups_and_traces(server, tmp_path):
    made = cli_json(server, "backups", "create")
    assert made["filename"].endswith(".tar.gz")
    assert made["filename"] in [b["filename"] for b in cli_json(server, "backups", "list")["data"]]
    saved = cli_json(server, "backups", "download", made["filename"], "-o", str(tmp_path / "b.tar.gz"))
    assert saved["size"] == (tmp_path / "b.tar.gz").stat().st_size > 0
    assert cli_json(server, "backups", "import", made["filename"]) == {"ok": True}

    # the offline command refuses to restore under a running server, and says what to do instead
    offline = cli(server, "backup", "restore", made["filename"], check=False)
    assert offline.returncode == 1
    assert "stop it" in offline.stderr and "POST /api/v5/data/import" in offline.stderr
    assert "gunicorn" not in offline.stderr
    assert made["filename"] in [b["filename"] for b in cli_json(server, "backup", "list")]

    cli_json(server, "backups", "delete", made["filename"])
    assert cli_json(server, "traces", "create", "cli-trace", "--topic", "cli/#")["status"] == "running"
    assert [t["name"] for t in cli_json(server, "traces", "list")] == ["cli-trace"]
    assert cli_json(server, "traces", "stop", "cli-trace")["status"] == "stopped"
    assert "items" in cli_json(server, "traces", "log", "cli-trace")
    cli(server, "traces", "delete", "cli-trace")
    assert cli_json(server, "traces", "list") == []


def test_alarms_and_the_audit_log_of_cli_changes(server):
    assert cli_json(server, "alarms", "list")["meta"]["page"] == 1
    assert cli(server, "alarms", "clear").stdout.strip() == "ok"
    cli(server, "bans", "add", "clientid", "audited-by-cli")
    entries = cli_json(server, "audit", "list")["data"]
    newest = next(e for e in entries if e["operation_id"] == "create_banned")
    assert newest["from"] == "cli" and newest["http_status_code"] == 200
    # a change made offline, on data_dir, is in the audit log too
    created = cli(server, "api-key", "create", "cli-made", "--role", "viewer", "--json")
    secret = json.loads(created.stdout)["api_secret"]
    offline = next(e for e in cli_json(server, "audit", "list")["data"] if e["operation_id"] == "api_key.create")
    assert offline["from"] == "cli" and offline["http_request"] == {"args": {"name": "cli-made", "role": "viewer"}}
    assert secret not in json.dumps(cli_json(server, "audit", "list"))


def test_unreachable_server_and_bad_credentials(server):
    down = cli(server, "clients", "list", "--url", f"http://127.0.0.1:{free_port()}/api/v5", check=False)
    assert down.returncode == 1 and "cannot reach the API" in down.stderr
    wrong = cli(server, "clients", "list", "--api-key", "nobody:nothing", check=False)
    assert wrong.returncode == 1 and "WRONG_USERNAME_OR_PWD_OR_API_KEY_OR_API_SECRET" in wrong.stderr


class OffSpec(http.server.BaseHTTPRequestHandler):
    """What may stand in front of a node: a proxy's HTML error page, an answer the spec does not describe."""

    def do_GET(self):
        status, kind, body = {
            "/api/v5/clients": (502, "text/html", b"<html><body>502 Bad Gateway</body></html>"),
            "/api/v5/clients/c1": (404, "text/html", b"<html><body>404 Not Found</body></html>"),
            "/api/v5/banned": (503, "application/json", b'{"code": "SERVICE_UNAVAILABLE", "message": "later"}'),
        }.get(self.path.partition("?")[0], (200, "application/json", b'{"data": "not a page"}'))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def off_spec():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OffSpec)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/v5"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize(("command", "said"), [
    (["clients", "list"], "mqttgate: HTTP_ERROR: HTTP 502: <html><body>502 Bad Gateway</body></html>"),
    # a status the operation documents, with a body that is not the API's Error
    (["clients", "show", "c1"], "mqttgate: HTTP_ERROR: HTTP 404: <html><body>404 Not Found</body></html>"),
    (["bans", "list"], "mqttgate: SERVICE_UNAVAILABLE: later"),  # a status the operation does not document
    (["users", "list"], "mqttgate: UNEXPECTED_ANSWER: the API's answer does not follow its spec"),
])
def test_answers_outside_the_spec_are_errors_with_what_was_said(off_spec, tmp_path, monkeypatch, capsys, command,
                                                                 said):
    from mqttgate.cli import main

    monkeypatch.delenv("MQTTGATE_CONFIG", raising=False)
    with pytest.raises(SystemExit) as exited:
        main([*command, "--url", off_spec, "--api-key", "k:s", "--data-dir", str(tmp_path), "--json"])
    out, err = capsys.readouterr()
    assert exited.value.code == 1 and out == ""
    assert err.startswith(said), err


def test_the_cli_over_https_with_a_client_certificate(tmp_path):
    ca = TestCA(tmp_path)
    server_cert, client_cert = ca.issue("server"), ca.issue("client", server=False)
    port = free_port()
    process = Process([BIN / "mqttgate", "serve"], tmp_path, env=listener_env(
        1, name="mtls", port=port, certfile=server_cert.certfile, keyfile=server_cert.keyfile,
        cacertfile=ca.certfile))
    try:
        process.wait_ready(60)
        url = f"https://127.0.0.1:{port}/api/v5"
        answer = cli_json(process, "clients", "list", "--url", url, "--cacert", str(ca.certfile),
                          "--cert", str(client_cert.certfile), "--key", str(client_cert.keyfile))
        assert answer["data"] == []
        refused = cli(process, "clients", "list", "--url", url, "--cacert", str(ca.certfile), check=False)
        assert refused.returncode == 1 and "cannot reach the API" in refused.stderr
    finally:
        process.stop(signal.SIGTERM)
        process.close()


def test_check_config(tmp_path):
    ca = TestCA(tmp_path)
    good, other = ca.issue("good"), ca.issue("other")
    config = tmp_path / "mqttgate.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\nrest_api:\n  listeners:\n"
                      f"    - {{name: https, port: 8443, certfile: {good.certfile}, keyfile: {good.keyfile}}}\n")
    run = subprocess.run([str(BIN / "mqttgate"), "check-config", "--config", str(config), "--json"],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    effective = json.loads(run.stdout)
    assert effective["rest_api"]["listeners"][0]["certfile"] == str(good.certfile)
    assert effective["mqtt"]["max_mqueue_len"] == 1000  # defaults included
    assert "configuration OK" in run.stderr

    config.write_text(config.read_text().replace(str(good.keyfile), str(other.keyfile)))
    mismatched = subprocess.run([str(BIN / "mqttgate"), "check-config", "--config", str(config)],
                                capture_output=True, text=True, timeout=30)
    assert mismatched.returncode == 2 and "cannot be loaded" in mismatched.stderr
    config.write_text("mqtt: {max_mqueue_len: 0}\n")
    invalid = subprocess.run([str(BIN / "mqttgate"), "check-config", "--config", str(config)],
                             capture_output=True, text=True, timeout=30)
    assert invalid.returncode == 2 and "max_mqueue_len" in invalid.stderr


def test_secrets_are_masked():
    from mqttgate.cli import mask_secrets

    masked = mask_secrets({"cluster": {"nats": {"password": "p", "token": "t", "url": "nats://x"}},
                           "api_key": {"bootstrap_file": "/etc/keys"}, "users": [{"secret": "s"}],
                           "empty": {"password": None}})
    assert masked == {"cluster": {"nats": {"password": "******", "token": "******", "url": "nats://x"}},
                      "api_key": {"bootstrap_file": "/etc/keys"}, "users": [{"secret": "******"}],
                      "empty": {"password": None}}


def test_https_listener_needs_the_ca(server):
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"https://127.0.0.1:{server.http_port}/api/v5/status", timeout=2)
