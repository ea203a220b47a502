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

from tests.conftest import MqttClient
from tests.live import gate_config, start_gate
from tests.processes import BIN


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
    bootstrap = tmp_path / "keys"
    bootstrap.write_text("admin:admin-secret-1\nrobot:r0b0t-secret:viewer\n")
    data = tmp_path / "data"
    first = start_gate(gate_config(data, MQTTGATE_API_KEY__BOOTSTRAP_FILE=str(bootstrap)),
                       credentials=("admin", "admin-secret-1"))
    stop = threading.Event()
    load = threading.Thread(target=traffic, args=(first.mqtt_port, stop))
    try:
        first.http.post("/trace", json={"name": "kept", "type": "topic", "topic": "load/#", "payload_encode": "hidden"})
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
        traces = httpx.get(f"{second.base_url}/api/v5/trace", auth=("admin", "admin-secret-1")).json()
        assert [t["name"] for t in traces] == ["kept"]
        assert second.http.get("/trace").status_code == 401  # the second life's first key is gone with it
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
        assert refused.returncode == 1 and "another mqttgate process already runs" in refused.stderr
    finally:
        live.stop()
    assert run("restore", str(tmp_path / "nope.tar.gz")).returncode == 1
