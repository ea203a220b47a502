"""`mqttgate serve` and gunicorn as separate processes, as a user runs them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import psutil
import pytest

from tests.conftest import MqttClient, wait_for
from tests.leaks import SESSION_MARK, marked_processes
from tests.processes import BIN, GUNICORN, SERVE, Process
from tests.rawmqtt import until_closed


def lists_client(process: Process, clientid: str) -> bool:
    response = httpx.get(f"{process.url}/clients", auth=process.api_auth(), timeout=5)
    return clientid in [c["clientid"] for c in response.json()["data"]]


@pytest.mark.parametrize("command", [SERVE, GUNICORN], ids=["serve", "gunicorn"])
def test_headers_over_max_header_size_are_refused(started, command):
    # httptools, which uvicorn picks when installed, read a 100 MB header for 20 s and answered 200
    process = started(command, config="  max_header_size: 16384\n").wait_ready()
    with socket.create_connection(("127.0.0.1", process.http_port), timeout=10) as sock:
        try:
            sock.sendall(b"GET /api/v5/status HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 1024 * 1024 + b"\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer, _ = until_closed(sock, timeout=10)  # a reset too: closed with the rest of the header unread
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400 ")  # refused and closed, never a 200
    assert httpx.get(f"{process.url}/status", timeout=5).status_code == 200


@pytest.mark.parametrize("command", [SERVE, GUNICORN], ids=["serve", "gunicorn"])
def test_answers_status_and_lists_a_real_client(started, command):
    process = started(command).wait_ready()
    status = httpx.get(f"{process.url}/status").json()
    assert status["status"] == "running"
    assert status["listeners"][0]["bind"] == f"127.0.0.1:{process.mqtt_port}"
    client = MqttClient(process.mqtt_port, "outside-1").connect()
    try:
        assert wait_for(lambda: lists_client(process, "outside-1"))
    finally:
        client.close()
    assert "secret:" in process.output()  # the first key is printed once
    assert (process.data_dir / "initial_api_key").stat().st_mode & 0o777 == 0o600


def test_gunicorn_with_two_workers_exits_with_one_clear_message(started):
    command = [str(a).replace("1", "2") if a == "1" else a for a in GUNICORN]
    process = started(command)
    try:
        process.proc.wait(30)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"gunicorn -w 2 kept running:\n{process.output()}") from None
    assert process.proc.returncode != 0
    output = process.output()
    assert "run gunicorn with -w 1" in output
    assert output.count("Booting worker") <= 2  # no crash loop


def half_open_connections(port: int) -> list[socket.socket]:
    """A connection that never sends CONNECT, and a connected subscriber that stops reading."""
    silent = socket.create_connection(("127.0.0.1", port))
    stalled = socket.create_connection(("127.0.0.1", port))
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    # CONNECT (client id "stalled", keepalive 0), then SUBSCRIBE "#" QoS 0
    stalled.sendall(bytes([0x10, 19, 0, 4]) + b"MQTT" + bytes([4, 2, 0, 0, 0, 7]) + b"stalled")
    stalled.sendall(bytes([0x82, 6, 0, 1, 0, 1]) + b"#" + bytes([0]))
    return [silent, stalled]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_stops_within_5s_with_half_open_connections(started, sig):
    process = started(SERVE).wait_ready()
    sockets = half_open_connections(process.mqtt_port)
    publisher = MqttClient(process.mqtt_port, "flood").connect()
    try:
        assert wait_for(lambda: lists_client(process, "stalled"))
        for _ in range(300):  # fill the stalled subscriber's buffers
            publisher.client.publish("load", b"x" * 10_000)
        time.sleep(0.5)
        elapsed = process.stop(sig)
    finally:
        publisher.close()
        for sock in sockets:
            sock.close()
    assert process.proc.returncode in (0, -sig)
    assert elapsed < 5, f"took {elapsed:.1f}s"


def test_broker_only_when_the_rest_api_is_disabled(started):
    process = started(SERVE, http=False,
                      env={"MQTTGATE_REST_API__ENABLED": "false"}).wait_ready()
    client = MqttClient(process.mqtt_port, "no-api").connect()
    client.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{process.url}/status", timeout=1)
    assert process.stop(signal.SIGTERM) < 5


def test_invalid_config_exits_2_with_one_line(started):
    process = started(SERVE, config="colour: red\n")
    assert process.proc.wait(60) == 2
    assert process.output().strip().splitlines() == [
        "mqttgate: invalid configuration: unknown key 'colour'; known keys here: alarm, api_key, audit, cluster, "
        "data_dir, log, log_level, monitor, mqtt, rest_api, trace"]


def test_a_second_process_on_the_same_data_dir_is_refused(started, tmp_path):
    first = started(SERVE).wait_ready()
    second = started(SERVE, env={"MQTTGATE_MQTT__LISTENERS__DEFAULT__BIND": "127.0.0.1:0",
                                 "MQTTGATE_REST_API__LISTENERS__0__PORT": "0",
                                 "MQTTGATE_DATA_DIR": str(first.data_dir)})
    assert second.proc.wait(15) != 0
    assert "another mqttgate process already runs the broker" in second.output()


def test_version_and_help():
    version = subprocess.run([BIN / "mqttgate", "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("mqttgate ")
    helptext = subprocess.run([BIN / "mqttgate", "serve", "--help"], capture_output=True, text=True,
                              check=True).stdout
    for option in ("--config", "--data-dir", "--log-level", "MQTTGATE_"):
        assert option in helptext


def test_serve_and_the_offline_commands_start_without_the_remote_commands_client(tmp_path):
    # building the remote commands' parsers imports the generated client (81 models): not for these
    code = ("import sys\nfrom mqttgate import cli\ntry:\n    cli.main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print('client loaded:', any(name.startswith('mqttgate.client') for name in sys.modules))")
    for command in (["check-config", "--data-dir", str(tmp_path)], ["serve", "--help"], ["backup", "list", "--help"]):
        run = subprocess.run([sys.executable, "-c", code, *command], capture_output=True, text=True, check=True)
        assert run.stdout.splitlines()[-1] == "client loaded: False", command
    helptext = subprocess.run([BIN / "mqttgate", "--help"], capture_output=True, text=True, check=True).stdout
    assert "clients" in helptext and "audit" in helptext  # the help lists every command
    listing = subprocess.run([BIN / "mqttgate", "clients", "list", "--help"], capture_output=True, text=True,
                             check=True)
    assert "--like-clientid" in listing.stdout


def test_closing_gunicorn_stops_its_worker_too(started):
    process = started(GUNICORN).wait_ready()
    workers = process.descendants()
    assert workers, "gunicorn runs its worker as a child"
    url = process.url
    process.close()
    assert [w.pid for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE] == []
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/status", timeout=2)


def test_the_run_finds_a_process_that_left_the_tree(tmp_path):
    """The end-of-run check finds an orphan by its mark (as a worker whose master was SIGKILLed)."""
    pid_file = tmp_path / "pid"
    subprocess.run(["sh", "-c", f"sleep 120 & echo $! > {pid_file}"], check=True, timeout=10)
    orphan = psutil.Process(int(pid_file.read_text()))
    try:
        assert orphan.ppid() != os.getpid()
        assert orphan.pid in [p.pid for p in marked_processes(os.environ[SESSION_MARK])]
    finally:
        orphan.kill()
        orphan.wait(5)
