"""Backups: taken under live traffic, restored into a wiped data_dir, and bad files refused."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess
import tarfile
import threading

import httpx
import pytest

from tests.conftest import MqttClient, wait_for
from tests.live import gate_config, start_gate
from tests.processes import BIN

USERS = "/authentication/password_based:built_in_database/users"
RULES = "/authorization/sources/built_in_database/rules"
NOT_AUTHORIZED = 135  # paho's reason code for MQTT 3.1.1's CONNACK 5


def upload(gate, name: str, data: bytes) -> httpx.Response:
    return gate.http.post("/data/files", files={"filename": (name, data, "application/gzip")})


def traffic(port: int, stop: threading.Event) -> None:
    client = MqttClient(port, "busy").connect()
    n = 0
    while not stop.is_set():
        client.client.publish(f"load/{n % 10}", b"x" * 100, qos=1)
        n += 1
    client.close()


def test_backup_under_traffic_then_restore_into_a_wiped_data_dir(tmp_path):
    """Every key, ban, user, rule, retained message and trace comes back, applied at once."""
    bootstrap = tmp_path / "keys"
    bootstrap.write_text("admin:admin-secret-1\nrobot:r0b0t-secret:viewer\n")
    data = tmp_path / "data"
    first = start_gate(gate_config(data, MQTTGATE_API_KEY__BOOTSTRAP_FILE=str(bootstrap)),
                       credentials=("admin", "admin-secret-1"))
    stop = threading.Event()
    load = threading.Thread(target=traffic, args=(first.mqtt_port, stop))
    try:
        first.http.post("/trace", json={"name": "kept", "type": "topic", "topic": "load/#", "payload_encode": "hidden"})
        ops = first.http.post("/api_key", json={"name": "ops", "role": "viewer"}).json()
        assert first.http.post(USERS, json={"user_id": "alice", "password": "pw-1"}).status_code == 201
        assert first.http.post("/banned", json={"as": "clientid", "who": "troll"}).status_code == 200
        assert first.http.post(f"{RULES}/all", json={"rules": [{"topic": "secret/#", "permission": "deny",
                                                                "action": "subscribe"}]}).status_code == 204
        assert first.http.post("/publish", json={"topic": "keep/me", "payload": "still here",
                                                 "retain": True}).status_code in (200, 202)
        load.start()
        made = first.http.post("/data/export")
        assert made.status_code == 200, made.text
        backup = made.json()
        assert backup["filename"].endswith(".tar.gz") and backup["size"] > 0
        listed = first.http.get("/data/files").json()
        assert [f["filename"] for f in listed["data"]] == [backup["filename"]]
        content = first.http.get(f"/data/files/{backup['filename']}").content
        assert len(content) == backup["size"]
    finally:
        stop.set()
        load.join(10)
        first.stop()

    with tarfile.open(fileobj=io.BytesIO(content), mode="r:gz") as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
    assert manifest["format"] == "mqttgate-backup" and set(manifest["files"]) == {"mqttgate.db", "config.json"}

    shutil.rmtree(data)
    second = start_gate(gate_config(data))
    try:
        assert httpx.get(f"{second.base_url}/api/v5/trace", auth=("robot", "r0b0t-secret")).status_code == 401
        assert second.http.get("/trace").json() == []
        assert upload(second, backup["filename"], content).status_code == 204
        assert second.http.post("/data/import", json={"filename": backup["filename"]}).status_code == 204
        # applied at once, no restart: the keys of the first life work, the trace is back
        assert httpx.get(f"{second.base_url}/api/v5/trace", auth=("robot", "r0b0t-secret")).status_code == 200
        admin = httpx.Client(base_url=f"{second.base_url}/api/v5", auth=("admin", "admin-secret-1"))
        assert [t["name"] for t in admin.get("/trace").json()] == ["kept"]
        assert second.http.get("/trace").status_code == 401  # the second life's first key is gone with it
        assert httpx.get(f"{second.base_url}/api/v5/clients", auth=(ops["api_key"], ops["api_secret"])).status_code \
            == 200
        assert [u["user_id"] for u in admin.get(USERS).json()["data"]] == ["alice"]
        assert [b["who"] for b in admin.get("/banned").json()["data"]] == ["troll"]
        assert admin.get("/mqtt/retainer/message/keep%2Fme").json()["payload"] == "c3RpbGwgaGVyZQ=="
        alice = MqttClient(second.mqtt_port, "a1")
        alice.client.username_pw_set("alice", "pw-1")
        troll = MqttClient(second.mqtt_port, "troll")
        try:
            assert alice.connect().connack == 0 and troll.connect().connack == NOT_AUTHORIZED
            granted = []
            alice.client.on_subscribe = lambda c, u, mid, codes, props: granted.extend(r.value for r in codes)
            alice.client.subscribe([("secret/x", 0), ("keep/#", 0)])
            assert wait_for(lambda: granted) and granted == [0x80, 0]
            assert wait_for(lambda: alice.messages) and alice.messages[0].payload == b"still here"
        finally:
            alice.close()
            troll.close()
    finally:
        second.stop()


@pytest.fixture
def backup_bytes(gate) -> bytes:
    made = gate.http.post("/data/export").json()
    return gate.http.get(f"/data/files/{made['filename']}").content


def rebuilt(original: bytes, change) -> bytes:
    """The backup with its members changed by `change(files)`, the manifest kept as it was."""
    with tarfile.open(fileobj=io.BytesIO(original), mode="r:gz") as archive:
        files = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}
    change(files)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def tamper_db(files):
    db = files["mqttgate.db"]
    files["mqttgate.db"] = db[:200] + bytes([db[200] ^ 0xFF]) + db[201:]


def foreign_manifest(files):
    files["manifest.json"] = json.dumps({"format": "emqx-backup", "format_version": 1}).encode()


def extra_member(files):
    files["../../etc/cron.d/evil"] = b"* * * * * root true"


@pytest.mark.parametrize("name, make", [
    ("truncated.tar.gz", lambda good: good[: len(good) // 2]),
    ("checksum.tar.gz", lambda good: rebuilt(good, tamper_db)),
    ("foreign.tar.gz", lambda good: rebuilt(good, foreign_manifest)),
    ("traversal.tar.gz", lambda good: rebuilt(good, extra_member)),
    ("notgzip.tar.gz", lambda good: b"PK\x03\x04 this is a zip"),
    ("plain.tar.gz", lambda good: gzip.compress(b"just text")),
])
def test_bad_uploads_are_refused_and_nothing_changes(gate, backup_bytes, name, make):
    before = gate.http.get("/data/files").json()
    response = upload(gate, name, make(backup_bytes))
    assert response.status_code == 400 and response.json()["code"] == "BAD_REQUEST"
    assert "\n" not in response.json()["message"]
    assert gate.http.get("/data/files").json() == before


def test_a_bad_file_in_the_backup_folder_is_refused_on_import_and_nothing_changes(gate, backup_bytes):
    gate.http.post("/trace", json={"name": "before", "type": "clientid", "clientid": "x"})
    folder = gate.config.data_path / "backups"
    (folder / "damaged.tar.gz").write_bytes(rebuilt(backup_bytes, tamper_db))
    response = gate.http.post("/data/import", json={"filename": "damaged.tar.gz"})
    assert response.status_code == 400 and "checksum" in response.json()["message"]
    assert [t["name"] for t in gate.http.get("/trace").json()] == ["before"]


def test_names_are_checked(gate, backup_bytes):
    for bad in ("../evil.tar.gz", "evil.zip", ".hidden.tar.gz"):
        response = upload(gate, bad, backup_bytes)
        assert response.status_code == 400, bad
    assert gate.http.get("/data/files/evil.zip").status_code == 400
    assert gate.http.get("/data/files/..%2F..%2Fetc%2Fpasswd").status_code in (400, 404)
    missing = gate.http.get("/data/files/nothing-here.tar.gz")
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
    assert gate.http.post("/data/import", json={"filename": "nothing-here.tar.gz"}).status_code == 404
    assert upload(gate, "copy.tar.gz", backup_bytes).status_code == 204
    again = upload(gate, "copy.tar.gz", backup_bytes)
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_EXISTS"
    assert gate.http.delete("/data/files/copy.tar.gz").status_code == 204
    assert gate.http.delete("/data/files/copy.tar.gz").status_code == 404


def test_cli_creates_lists_and_restores(tmp_path):
    data = tmp_path / "data"
    run = lambda *args: subprocess.run([BIN / "mqttgate", "backup", *args, "--data-dir", str(data)],  # noqa: E731
                                       capture_output=True, text=True, timeout=60)
    made = run("create")
    assert made.returncode == 0, made.stderr
    path = made.stdout.split(" (")[0]
    assert run("list").stdout.startswith(path.rsplit("/", 1)[1])
    restored = run("restore", path)
    assert restored.returncode == 0 and restored.stdout.startswith("restored ")
    live = start_gate(gate_config(data))
    try:
        refused = run("restore", path)
        assert refused.returncode == 1 and "mqttgate is running on data_dir" in refused.stderr
        assert "POST /api/v5/data/import" in refused.stderr and "gunicorn" not in refused.stderr
    finally:
        live.stop()
    assert run("restore", str(tmp_path / "nope.tar.gz")).returncode == 1
