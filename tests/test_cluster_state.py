"""Shared state of a cluster: API keys, MQTT users, ACL rules and trace definitions, changed on one node,
in force on the other within a second; a node that joins later has them; bad input changes nothing.

A real NATS cluster of three servers with JetStream, two mqttgate nodes, paho clients and httpx.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import nats as nats_client
import pytest

from tests.conftest import MqttClient, wait_for
from tests.live import LiveGate
from tests.nats_cluster import NatsCluster
from tests.test_cluster import start_node

pytestmark = pytest.mark.timeout(180)

WITHIN = 1.0  # the "in force on every node within a second"


@pytest.fixture(scope="module")
def nats_cluster(tmp_path_factory) -> Iterator[NatsCluster]:
    cluster = NatsCluster(tmp_path_factory.mktemp("nats"))
    yield cluster
    cluster.close()


@pytest.fixture(scope="module")
def nodes(tmp_path_factory, nats_cluster) -> Iterator[list[LiveGate]]:
    tmp_path = tmp_path_factory.mktemp("nodes")
    started: list[LiveGate] = []
    try:
        for i in range(2):
            started.append(start_node(tmp_path, nats_cluster, f"state{i + 1}-{uuid.uuid4().hex[:6]}", i))
        yield started
    finally:
        for node in started:
            node.stop()


def bucket(nats: NatsCluster, name: str) -> dict[str, dict]:
    """What the JetStream bucket `name` holds, read with a NATS client of the test's own."""
    async def read() -> dict[str, dict]:
        connection = await nats_client.connect(nats.urls)
        try:
            kv = await connection.jetstream().key_value(name)
            try:
                keys = await kv.keys()
            except Exception:  # nats-py: no keys at all
                return {}
            return {key: json.loads((await kv.get(key)).value) for key in keys}
        finally:
            await connection.close()
    return asyncio.run(read())


def connack(node: LiveGate, clientid: str, username: str, password: str) -> int | None:
    """The CONNACK return code for a CONNECT with this username and password (the connection then closed)."""
    client = MqttClient(node.mqtt_port, clientid)
    client.client.username_pw_set(username, password)
    client.client.reconnect_delay_set(300, 300)
    try:
        client.connect()
        return client.connack
    finally:
        client.close()


def api(node: LiveGate, auth: tuple[str, str]) -> httpx.Client:
    return httpx.Client(base_url=node.base_url + "/api/v5", auth=auth, timeout=10)


def within(condition, timeout: float = WITHIN) -> bool:
    """Whether `condition` holds within `timeout` (polled, never a bare sleep)."""
    return bool(wait_for(condition, timeout, 0.01))


# -- API keys -----------------------------------------------------------------------------------


def test_an_api_key_made_on_one_node_opens_the_other_and_its_delete_closes_both(nodes, nats_cluster):
    made = nodes[0].http.post("/api_key", json={"name": "shared-key", "role": "viewer"})
    assert made.status_code == 200, made.text
    auth = (made.json()["api_key"], made.json()["api_secret"])
    with api(nodes[0], auth) as one, api(nodes[1], auth) as two:
        assert one.get("/clients").status_code == 200
        assert within(lambda: two.get("/clients").status_code == 200), "the key does not open node 2"
        held = bucket(nats_cluster, "mqttgate_api_keys")
        record = next(r for r in held.values() if r["name"] == "shared-key")
        assert record["secret_hash"].startswith("$argon2") and auth[1] not in json.dumps(held)
        # disabled on node 2: refused on node 1 at once (its verified-secret cache too)
        assert nodes[1].http.put("/api_key/shared-key", json={"enable": False}).status_code == 200
        assert within(lambda: one.get("/clients").status_code == 401), "a disabled key still opens node 1"
        assert nodes[0].http.put("/api_key/shared-key", json={"enable": True}).status_code == 200
        assert within(lambda: two.get("/clients").status_code == 200)
        assert nodes[1].http.delete("/api_key/shared-key").status_code == 204
        assert within(lambda: one.get("/clients").status_code == 401), "a deleted key still opens node 1"
        assert two.get("/clients").status_code == 401
    assert nodes[0].http.get("/api_key/shared-key").status_code == 404


def test_a_bad_api_key_request_changes_nothing_on_any_node(nodes):
    before = [[k["name"] for k in node.http.get("/api_key").json()] for node in nodes]
    assert nodes[0].http.post("/api_key", json={"name": "9starts-with-a-digit"}).status_code == 400
    assert nodes[0].http.put("/api_key/nobody", json={"enable": False}).status_code == 404
    # a good change after the bad ones: once it is on node 2, anything shared before it is too
    assert nodes[0].http.post("/api_key", json={"name": "marker-key"}).status_code == 200
    assert within(lambda: "marker-key" in [k["name"] for k in nodes[1].http.get("/api_key").json()])
    after = [[k["name"] for k in node.http.get("/api_key").json()] for node in nodes]
    assert after == [[*names, "marker-key"] for names in before]
    assert nodes[0].http.delete("/api_key/marker-key").status_code == 204
    assert within(lambda: nodes[1].http.get("/api_key/marker-key").status_code == 404)


# -- MQTT users ----------------------------------------------------------------------------------

USERS = "/authentication/password_based:built_in_database/users"


def test_a_user_made_changed_and_deleted_on_one_node_holds_on_the_other(nodes, nats_cluster):
    # a second user keeps the database from going empty (then any username is let in)
    assert nodes[0].http.post(USERS, json={"user_id": "keeper", "password": "keep-it"}).status_code == 201
    assert nodes[0].http.post(USERS, json={"user_id": "sensor", "password": "first-pass"}).status_code == 201
    assert within(lambda: connack(nodes[1], "u1", "sensor", "first-pass") == 0, 3), \
        "the user made on node 1 cannot connect on node 2"
    assert "first-pass" not in json.dumps(bucket(nats_cluster, "mqttgate_users"))
    assert bucket(nats_cluster, "mqttgate_users")
    assert all(r["password_hash"].startswith("$argon2") for r in bucket(nats_cluster, "mqttgate_users").values())
    # node 2 has the old password in its cache of checked passwords: the change on node 1 must drop it
    assert nodes[0].http.put(f"{USERS}/sensor", json={"password": "second-pass"}).status_code == 200
    assert within(lambda: connack(nodes[1], "u1", "sensor", "first-pass") not in (None, 0), 3), \
        "the old password still lets a CONNECT in on node 2"
    assert connack(nodes[1], "u1", "sensor", "second-pass") == 0
    assert nodes[1].http.delete(f"{USERS}/sensor").status_code == 204
    assert within(lambda: connack(nodes[0], "u1", "sensor", "second-pass") not in (None, 0), 3), \
        "a deleted user still connects on node 1"
    assert within(lambda: nodes[0].http.get(f"{USERS}/sensor").status_code == 404)
    assert nodes[1].http.delete(f"{USERS}/keeper").status_code == 204


def test_a_user_is_listed_on_the_other_node_within_a_second_and_bad_input_changes_nothing(nodes):
    assert nodes[1].http.post(USERS, json={"user_id": "quick", "password": "p"}).status_code == 201
    assert within(lambda: nodes[0].http.get(f"{USERS}/quick").status_code == 200)
    assert nodes[0].http.post(USERS, json={"user_id": "quick", "password": "other"}).status_code == 409
    assert nodes[0].http.post(USERS, json={"user_id": "broken"}).status_code == 400
    assert nodes[0].http.put(f"{USERS}/ghost", json={"password": "x"}).status_code == 404
    assert nodes[0].http.post(USERS, json={"user_id": "marker", "password": "m"}).status_code == 201
    assert within(lambda: nodes[1].http.get(f"{USERS}/marker").status_code == 200)
    for node in nodes:
        assert node.http.get(f"{USERS}/broken").status_code == 404
        assert node.http.get(f"{USERS}/ghost").status_code == 404
    # the 409 did not change quick's password anywhere
    assert connack(nodes[0], "q1", "quick", "p") == 0 and connack(nodes[1], "q2", "quick", "p") == 0
    for user in ("quick", "marker"):
        assert nodes[1].http.delete(f"{USERS}/{user}").status_code == 204
    assert within(lambda: nodes[0].http.get(f"{USERS}/marker").status_code == 404)


# -- ACL rules -----------------------------------------------------------------------------------

RULES = "/authorization/sources/built_in_database/rules"


def suback(node: LiveGate, clientid: str, topic: str) -> int:
    client = MqttClient(node.mqtt_port, clientid)
    granted: list[int] = []
    client.client.on_subscribe = lambda c, u, mid, codes, p: granted.extend(code.value for code in codes)
    try:
        client.connect()
        client.client.subscribe(topic, 1)
        assert wait_for(lambda: granted), "no SUBACK"
        return granted[0]
    finally:
        client.close()


def test_acl_rules_put_on_one_node_decide_on_the_other_in_the_same_order(nodes):
    rules = [{"topic": "vault/open", "permission": "allow", "action": "subscribe"},
             {"topic": "vault/#", "permission": "deny", "action": "subscribe"}]
    assert suback(nodes[1], "robber", "vault/gold") == 1
    assert nodes[0].http.put(f"{RULES}/clients/robber", json={"rules": rules}).status_code == 204
    assert within(lambda: nodes[1].http.get(f"{RULES}/clients/robber").json().get("rules") == rules)
    assert suback(nodes[1], "robber", "vault/gold") == 0x80
    assert suback(nodes[1], "robber", "vault/open") == 1  # the allow comes first, on node 2 too
    assert nodes[1].http.delete(f"{RULES}/clients/robber").status_code == 204
    assert within(lambda: nodes[0].http.get(f"{RULES}/clients/robber").status_code == 404)
    assert suback(nodes[0], "robber", "vault/gold") == 1


def test_concurrent_acl_edits_on_two_nodes_end_the_same_on_both(nodes):
    # each node replaces the same rules over and over with its own list; the bucket orders the
    # writes, and both nodes must end with its last one (not each with its own last write)
    lists = [[{"topic": f"n{i}/{j}", "permission": "deny", "action": "all"} for j in range(3)] for i in range(2)]
    barrier = threading.Barrier(2)

    def edit(i: int) -> None:
        with api(nodes[i], (nodes[i].api_key, nodes[i].api_secret)) as http:
            barrier.wait()
            for _ in range(15):
                assert http.post(f"{RULES}/all", json={"rules": lists[i]}).status_code == 204
                assert http.put(f"{RULES}/users/both", json={"rules": lists[1 - i]}).status_code == 204
    threads = [threading.Thread(target=edit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    def same() -> bool:
        seen = [(node.http.get(f"{RULES}/all").json()["rules"], node.http.get(f"{RULES}/users/both").json()["rules"])
                for node in nodes]
        return seen[0] == seen[1]
    # each node's writes queue for the bucket behind the answers: given time to drain, they must agree
    assert within(same, 15), [(node.http.get(f"{RULES}/all").json(), node.http.get(f"{RULES}/users/both").json())
                              for node in nodes]
    assert nodes[0].http.get(f"{RULES}/all").json()["rules"] in lists
    assert nodes[0].http.delete(f"{RULES}/all").status_code == 204
    assert nodes[0].http.delete(f"{RULES}/users/both").status_code == 204
    assert within(lambda: nodes[1].http.get(f"{RULES}/all").json()["rules"] == []
                  and nodes[1].http.get(f"{RULES}/users/both").status_code == 404)


def test_bad_acl_input_changes_nothing_on_any_node(nodes):
    good = [{"topic": "a/b", "permission": "allow", "action": "publish"}]
    assert nodes[0].http.post(f"{RULES}/users", json=[{"username": "u-ok", "rules": good}]).status_code == 204
    assert within(lambda: nodes[1].http.get(f"{RULES}/users/u-ok").status_code == 200)
    # u-ok exists: the whole create is refused, u-new included
    taken = nodes[1].http.post(f"{RULES}/users", json=[{"username": "u-new", "rules": good},
                                                        {"username": "u-ok", "rules": []}])
    assert taken.status_code == 409
    bad = nodes[1].http.put(f"{RULES}/users/u-ok", json={"rules": [{"topic": "x", "permission": "maybe",
                                                                    "action": "publish"}]})
    assert bad.status_code == 400
    assert nodes[1].http.put(f"{RULES}/users/u-marker", json={"rules": good}).status_code == 204
    assert within(lambda: nodes[0].http.get(f"{RULES}/users/u-marker").status_code == 200)
    for node in nodes:
        assert node.http.get(f"{RULES}/users/u-new").status_code == 404
        assert node.http.get(f"{RULES}/users/u-ok").json()["rules"] == good
    for who in ("u-ok", "u-marker"):
        assert nodes[0].http.delete(f"{RULES}/users/{who}").status_code == 204
    assert within(lambda: nodes[1].http.get(f"{RULES}/users/u-marker").status_code == 404)


# -- traces --------------------------------------------------------------------------------------


def test_a_trace_made_on_one_node_records_on_the_other_and_stops_and_goes_everywhere(nodes):
    made = nodes[0].http.post("/trace", json={"name": "watch-dev", "type": "clientid", "clientid": "dev-7"})
    assert made.status_code == 200, made.text
    assert within(lambda: trace(nodes[1], "watch-dev") is not None)
    assert trace(nodes[1], "watch-dev")["status"] == "running"
    device = MqttClient(nodes[1].mqtt_port, "dev-7").connect()
    try:
        device.client.publish("dev/7/state", b"on", qos=1).wait_for_publish(5)
        assert wait_for(lambda: b"dev/7/state" in _log(nodes[1], "watch-dev"), 5), "node 2 did not record"
    finally:
        device.close()
    assert nodes[1].http.put("/trace/watch-dev/stop").status_code == 200
    assert within(lambda: trace(nodes[0], "watch-dev")["status"] == "stopped")
    assert nodes[0].http.post("/trace", json={"name": "watch-dev", "type": "topic", "topic": "x"}).status_code == 409
    assert nodes[0].http.delete("/trace/watch-dev").status_code == 204
    assert within(lambda: trace(nodes[1], "watch-dev") is None)


def test_a_bad_trace_changes_nothing_on_any_node(nodes):
    past = nodes[0].http.post("/trace", json={"name": "too-late", "type": "topic", "topic": "t",
                                              "end_at": "2001-01-01T00:00:00Z"})
    assert past.status_code == 400
    assert nodes[0].http.post("/trace", json={"name": "no-filter", "type": "topic"}).status_code == 400
    assert nodes[0].http.post("/trace", json={"name": "marker", "type": "topic", "topic": "t"}).status_code == 200
    assert within(lambda: trace(nodes[1], "marker") is not None)
    assert [t["name"] for t in nodes[1].http.get("/trace").json()] == ["marker"]
    assert nodes[1].http.delete("/trace/marker").status_code == 204
    assert within(lambda: nodes[0].http.get("/trace").json() == [])


def trace(node: LiveGate, name: str) -> dict | None:
    """The trace named `name` as node lists it, or None."""
    return next((t for t in node.http.get("/trace").json() if t["name"] == name), None)


def _log(node: LiveGate, name: str) -> bytes:
    answer = node.http.get(f"/trace/{name}/log", params={"bytes": 100000})
    return answer.json()["items"].encode() if answer.status_code == 200 else b""


# -- a node that joins later ---------------------------------------------------------------------


def test_a_node_that_joins_later_has_the_keys_users_rules_and_traces_and_makes_no_key_of_its_own(
        tmp_path, nodes, nats_cluster):
    key = nodes[0].http.post("/api_key", json={"name": "late-key"}).json()
    assert nodes[0].http.post(USERS, json={"user_id": "late-user", "password": "late-pass"}).status_code == 201
    rules = [{"topic": "late/#", "permission": "deny", "action": "publish"}]
    assert nodes[1].http.put(f"{RULES}/clients/late-client", json={"rules": rules}).status_code == 204
    assert nodes[1].http.post("/trace", json={"name": "late-trace", "type": "topic", "topic": "late/#"}
                              ).status_code == 200
    assert within(lambda: trace(nodes[0], "late-trace") is not None
                  and nodes[1].http.get(f"{USERS}/late-user").status_code == 200, 3)
    # this data_dir was a single node with its own first key: joining, the cluster's keys replace it
    data = tmp_path / "late"
    data.mkdir(mode=0o700)
    single = start_node_alone(data)
    stray = single.read_text()
    late = start_node(tmp_path, nats_cluster, "late", 2, MQTTGATE_DATA_DIR=str(data))
    try:
        assert not (data / "initial_api_key").exists(), f"a stray first key was left: {stray}"
        with api(late, (key["api_key"], key["api_secret"])) as http:
            assert http.get("/clients").status_code == 200
            assert http.get(f"{USERS}/late-user").status_code == 200
            assert http.get(f"{RULES}/clients/late-client").json()["rules"] == rules
            assert trace(late, "late-trace")["status"] == "running"
            stray_key, stray_secret = stray.strip().split(":")
            assert stray_key not in [k["api_key"] for k in http.get("/api_key").json()]
        assert connack(late, "late-c", "late-user", "late-pass") == 0
        with api(late, (stray_key, stray_secret)) as http:
            assert http.get("/clients").status_code == 401
    finally:
        late.stop()
        nodes[0].http.delete("/api_key/late-key")
        nodes[0].http.delete(f"{USERS}/late-user")
        nodes[0].http.delete(f"{RULES}/clients/late-client")
        nodes[0].http.delete("/trace/late-trace")


def start_node_alone(data: Path) -> Path:
    """Run a single node (no cluster) once on `data`, so that it makes its first API key; that key's file."""
    from tests.live import gate_config, start_gate

    gate = start_gate(gate_config(data))
    gate.stop()
    return data / "initial_api_key"


def test_a_backup_restored_on_one_node_is_restored_on_every_node(nodes):
    assert nodes[0].http.post(USERS, json={"user_id": "kept", "password": "k"}).status_code == 201
    assert within(lambda: nodes[1].http.get(f"{USERS}/kept").status_code == 200)
    backup = nodes[0].http.post("/data/export")
    assert backup.status_code == 200, backup.text
    assert nodes[1].http.delete(f"{USERS}/kept").status_code == 204
    assert nodes[1].http.post(USERS, json={"user_id": "later", "password": "l"}).status_code == 201
    assert within(lambda: nodes[0].http.get(f"{USERS}/later").status_code == 200
                  and nodes[0].http.get(f"{USERS}/kept").status_code == 404)
    restored = nodes[0].http.post("/data/import", json={"filename": backup.json()["filename"]})
    assert restored.status_code == 204, restored.text
    assert within(lambda: nodes[1].http.get(f"{USERS}/kept").status_code == 200
                  and nodes[1].http.get(f"{USERS}/later").status_code == 404), "node 2 kept the state before"
    assert connack(nodes[1], "k1", "kept", "k") == 0
    assert nodes[1].http.delete(f"{USERS}/kept").status_code == 204
    assert within(lambda: nodes[0].http.get(f"{USERS}/kept").status_code == 404)


def test_a_trace_download_from_any_node_gathers_every_node_s_log(nodes):
    import io
    import zipfile

    assert nodes[0].http.post("/trace", json={"name": "everywhere", "type": "topic", "topic": "spread/#"}
                              ).status_code == 200
    assert within(lambda: trace(nodes[1], "everywhere") is not None)
    for i, node in enumerate(nodes):
        sender = MqttClient(node.mqtt_port, f"spreader-{i}").connect()
        try:
            sender.client.publish(f"spread/{i}", f"from {i}".encode(), qos=1).wait_for_publish(5)
        finally:
            sender.close()
        assert wait_for(lambda node=node, i=i: f"spread/{i}".encode() in _log(node, "everywhere"), 5)
    for node in nodes:
        answer = node.http.get("/trace/everywhere/download")
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(answer.content))
        names = {n.config.cluster.node: i for i, n in enumerate(nodes)}
        assert sorted(archive.namelist()) == sorted(f"{name}/everywhere.log" for name in names)
        for name, i in names.items():
            log = archive.read(f"{name}/everywhere.log")
            assert f"topic=spread/{i}".encode() in log and f"spread/{1 - i}".encode() not in log
    assert nodes[1].http.get("/trace/nothing/download").status_code == 404
    assert nodes[1].http.delete("/trace/everywhere").status_code == 204
    assert within(lambda: trace(nodes[0], "everywhere") is None)


# -- the replica's rule for concurrent changes ---------------------------------------------------


class _Gated:
    """A bucket watcher whose entries wait for `open` (to hold a node's view still for a moment)."""

    def __init__(self, watcher) -> None:
        self.watcher = watcher
        self.open = asyncio.Event()

    def __aiter__(self):
        return self

    async def __anext__(self):
        entry = await self.watcher.__anext__()
        await self.open.wait()
        return entry

    async def stop(self) -> None:
        await self.watcher.stop()


def test_a_change_heard_while_a_node_s_own_is_on_its_way_does_not_undo_it(nats_cluster):
    # node B changes k while node A's older change is in the bucket but not yet heard on B: B must
    # pass A's over when it comes (the bucket holds B's, after it), or B keeps A's while A and the
    # bucket hold B's
    from mqttgate.broker.cluster.node import ClusterNode
    from mqttgate.broker.cluster.shared import Replica

    class Copy(Replica):
        bucket_name = f"test_race_{uuid.uuid4().hex[:6]}"

        def __init__(self, node) -> None:
            super().__init__(node)
            self.held: dict[str, dict] = {}

        def local(self):
            return {k: json.dumps({**v, "origin": self.node.name}).encode() for k, v in self.held.items()}

        def apply_put(self, key, value):
            self.held[key] = {k: v for k, v in value.items() if k != "origin"}

        def apply_delete(self, key):
            self.held.pop(key, None)

        def change(self, key, value):
            self.held[key] = value
            return self.put(key, value)

    async def answer(op, args):
        return None

    async def race() -> list[dict]:
        nodes = [ClusterNode(f"race-{name}", nats_cluster.urls, replicas=3) for name in "ab"]
        copies: list[Copy] = []
        try:
            for node in nodes:
                await node.start(lambda *a: None, answer)
                copies.append(Copy(node))
                await copies[-1].join()
            a, b = copies
            b._tasks[0].cancel()  # B's follower, started again on a gated watcher
            b._watcher = _Gated(b._watcher)
            b._tasks[0] = asyncio.ensure_future(b._follow())
            await a.change("k", {"v": "from a"})  # in the bucket; B has not heard it
            done = b.change("k", {"v": "from b"})
            await done  # in the bucket after A's
            b._watcher.open.set()
            for _ in range(500):  # polled for up to 5 s
                # B has heard its change back (then A's, before it in the bucket, too), A has it
                if "k" not in b._acked and not b._inflight and a.held == {"k": {"v": "from b"}}:
                    break
                await asyncio.sleep(0.01)
            return [a.held, b.held]
        finally:
            for copy in copies:
                await copy.leave()
            for node in nodes:
                await node.stop()
    assert asyncio.run(race()) == [{"k": {"v": "from b"}}] * 2


def test_an_api_key_made_by_the_command_on_a_running_node_s_data_dir_opens_every_node(nodes):
    import os
    import subprocess
    import sys

    made = subprocess.run([Path(sys.executable).parent / "mqttgate", "api-key", "create", "cli-key",
                           "--data-dir", nodes[0].config.data_dir], capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if not k.startswith("MQTTGATE_")})
    assert made.returncode == 0, made.stderr
    auth = tuple(made.stdout.strip().splitlines()[-1].split(":"))
    assert nodes[0].http.get("/api_key").status_code == 200  # node 1's next look at its keys
    with api(nodes[1], auth) as two:
        assert within(lambda: two.get("/clients").status_code == 200), "the command's key does not open node 2"
    assert nodes[1].http.delete("/api_key/cli-key").status_code == 204
    with api(nodes[0], auth) as one:
        assert within(lambda: one.get("/clients").status_code == 401)
