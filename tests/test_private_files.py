"""Everything mqttgate writes in data_dir is private to its user (0700 / 0600), whatever the umask."""

from __future__ import annotations

import os
import stat

from mqttgate.broker.store import Store
from tests.conftest import MqttClient, wait_for
from tests.live import gate_config, start_gate


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_data_dir_and_every_file_in_it_are_private_with_umask_022(tmp_path):
    old = os.umask(0o022)
    data = tmp_path / "data"
    try:
        gate = start_gate(gate_config(data))
        try:
            assert gate.http.post("/trace", json={"name": "t", "type": "topic", "topic": "p/#"}).status_code == 200
            client = MqttClient(gate.mqtt_port, "writer").connect()
            client.client.publish("p/1", b"secret", qos=1, retain=True).wait_for_publish(5)
            assert wait_for(lambda: (data / "trace").exists() and any((data / "trace").iterdir()))
            client.close()
            assert gate.http.post("/data/export").status_code == 200
            upload = next((data / "backups").iterdir()).read_bytes()
            files = {"filename": ("uploaded.tar.gz", upload, "application/gzip")}
            assert gate.http.post("/data/files", files=files).status_code == 204
            written = list(data.rglob("*"))  # while running: the -wal and -shm are there
            assert {p.name for p in written} >= {"mqttgate.db", "mqttgate.db-wal", "mqttgate.db-shm",
                                                 "initial_api_key", "backups", "trace", "uploaded.tar.gz"}
            assert mode(data) == 0o700
            for path in written:
                assert mode(path) == (0o700 if path.is_dir() else 0o600), path
        finally:
            gate.stop()
    finally:
        os.umask(old)


def test_an_existing_world_readable_database_is_made_private(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    Store(data / "mqttgate.db").close()
    for path in data.iterdir():
        os.chmod(path, 0o644)
    os.chmod(data, 0o755)
    Store(data / "mqttgate.db").close()
    assert mode(data) == 0o700
    assert all(mode(path) == 0o600 for path in data.iterdir())
