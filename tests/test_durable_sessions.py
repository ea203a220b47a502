"""Durable sessions: nothing the broker acknowledged is lost, across reconnects, restarts and kill -9.

Raw sockets where the packets matter (DUP flags, packet ids, acknowledgements withheld);
`mqttgate serve` as a separate process where it is stopped or killed.
"""

from __future__ import annotations

import base64
import signal
import time

import httpx
import pytest

from tests.conftest import MqttClient, wait_for
from tests.processes import SERVE, Process
from tests.rawmqtt import PUBACK, PUBCOMP, PUBREC, PUBREL, RawClient


def offline(gate, clientid: str) -> bool:
    response = gate.http.get(f"/clients/{clientid}")
    return response.status_code == 200 and response.json()["connected"] is False


def persistent_subscriber(port: int, clientid: str, topic: str, qos: int) -> RawClient:
    client = RawClient(port)
    client.connect(clientid, clean=False)
    assert client.subscribe(topic, qos) == qos
    return client


def publish_acked(port: int, topic: str, payloads: list[bytes], *, qos: int = 1, retain: bool = False) -> None:
    """Publish over MQTT and wait for each acknowledgement (PUBACK, or PUBREC then PUBCOMP)."""
    publisher = RawClient(port)
    publisher.connect(f"pub-{time.monotonic_ns()}")
    for n, payload in enumerate(payloads, start=1):
        publisher.publish(topic, payload, qos, n, retain=retain)
        ack = publisher.read()
        assert ack.type == (PUBACK if qos == 1 else PUBREC) and ack.packet_id == n, ack
        if qos == 2:
            publisher.ack(PUBREL, n)
            assert publisher.read().type == PUBCOMP
    publisher.disconnect()


# -- in one process: reconnects -------------------------------------------------------------

def test_an_unacknowledged_qos1_message_is_resent_with_dup_and_its_packet_id_on_reconnect(gate):
    sub = persistent_subscriber(gate.mqtt_port, "inflight-1", "in/1", 1)
    assert gate.http.post("/publish", json={"topic": "in/1", "payload": "once", "qos": 1}).status_code == 200
    first = sub.read_publish()
    assert (first.payload, first.dup, first.qos) == (b"once", False, 1)
    assert gate.http.get("/clients/inflight-1").json()["inflight_cnt"] == 1
    sub.close()  # no PUBACK
    assert wait_for(lambda: offline(gate, "inflight-1"))

    again = RawClient(gate.mqtt_port)
    assert again.connect("inflight-1", clean=False) == (True, 0)
    resent = again.read_publish()
    assert (resent.payload, resent.dup, resent.packet_id) == (b"once", True, first.packet_id)
    again.ack(PUBACK, resent.packet_id)
    assert wait_for(lambda: gate.http.get("/clients/inflight-1").json()["inflight_cnt"] == 0)
    again.disconnect()

    # acknowledged: never sent again
    last = RawClient(gate.mqtt_port)
    assert last.connect("inflight-1", clean=False) == (True, 0)
    assert last.nothing_within(1.0)
    last.disconnect()


def test_in_flight_then_queued_messages_arrive_in_order_after_reconnect(gate):
    sub = persistent_subscriber(gate.mqtt_port, "order-1", "order/#", 1)
    gate.http.post("/publish", json={"topic": "order/a", "payload": "0", "qos": 1}).raise_for_status()
    assert sub.read_publish().payload == b"0"
    sub.close()
    assert wait_for(lambda: offline(gate, "order-1"))
    for n in range(1, 30):
        gate.http.post("/publish", json={"topic": f"order/{n % 3}", "payload": str(n), "qos": 1}).raise_for_status()
    assert gate.http.get("/clients/order-1").json()["mqueue_len"] == 29

    again = RawClient(gate.mqtt_port)
    assert again.connect("order-1", clean=False) == (True, 0)
    got = []
    for _ in range(30):
        message = again.read_publish()
        got.append(message)
        again.ack(PUBACK, message.packet_id)
    assert [m.payload.decode() for m in got] == [str(n) for n in range(30)]
    assert got[0].dup and not any(m.dup for m in got[1:]) and not any(m.retain for m in got)
    again.disconnect()


def test_qos2_subscriber_dropping_after_pubrec_gets_pubrel_again_and_no_second_publish(gate):
    sub = persistent_subscriber(gate.mqtt_port, "q2-sub", "q2/s", 2)
    gate.http.post("/publish", json={"topic": "q2/s", "payload": "exactly", "qos": 2}).raise_for_status()
    message = sub.read_publish()
    assert message.qos == 2
    sub.ack(PUBREC, message.packet_id)
    pubrel = sub.read()
    assert (pubrel.type, pubrel.packet_id) == (PUBREL, message.packet_id)
    sub.close()  # no PUBCOMP
    assert wait_for(lambda: offline(gate, "q2-sub"))

    again = RawClient(gate.mqtt_port)
    assert again.connect("q2-sub", clean=False) == (True, 0)
    resent = again.read()
    assert (resent.type, resent.packet_id) == (PUBREL, message.packet_id)
    again.ack(PUBCOMP, message.packet_id)
    assert again.nothing_within(1.0)
    assert gate.http.get("/clients/q2-sub").json()["inflight_cnt"] == 0
    again.disconnect()


def test_qos2_publisher_resending_after_pubrec_is_delivered_once(gate, mqtt_client):
    watcher = mqtt_client("q2-watcher")
    watcher.subscribe("q2/p", 2)
    pub = RawClient(gate.mqtt_port)
    pub.connect("q2-pub", clean=False)
    pub.publish("q2/p", b"one", 2, 7)
    assert pub.read().type == PUBREC
    pub.close()  # dropped before PUBREL
    assert wait_for(lambda: offline(gate, "q2-pub"))

    again = RawClient(gate.mqtt_port)
    assert again.connect("q2-pub", clean=False) == (True, 0)
    again.publish("q2/p", b"one", 2, 7, dup=True)  # [MQTT-4.4.0-1]: the client resends it
    assert again.read().type == PUBREC
    again.ack(PUBREL, 7)
    comp = again.read()
    assert (comp.type, comp.packet_id) == (PUBCOMP, 7)
    again.ack(PUBREL, 7)  # a repeated PUBREL is answered too
    assert again.read().type == PUBCOMP
    again.disconnect()
    assert wait_for(lambda: watcher.messages)
    time.sleep(1.0)  # a second delivery would have come by now: routing takes milliseconds
    assert [m.payload for m in watcher.messages] == [b"one"]


def test_a_kicked_offline_session_is_gone_and_stays_gone(gate):
    sub = persistent_subscriber(gate.mqtt_port, "kick-me", "k/#", 1)
    sub.disconnect()
    assert wait_for(lambda: offline(gate, "kick-me"))
    assert gate.http.delete("/clients/kick-me").status_code == 204
    again = RawClient(gate.mqtt_port)
    assert again.connect("kick-me", clean=False) == (False, 0)
    again.disconnect()


def test_a_persistent_connect_right_after_a_clean_session_starts_a_persistent_one(gate):
    clean = RawClient(gate.mqtt_port)
    clean.connect("flip", clean=True)
    clean.disconnect()
    persistent = RawClient(gate.mqtt_port)
    assert persistent.connect("flip", clean=False) == (False, 0)  # nothing to resume: the clean one ended
    assert persistent.subscribe("flip/#", 1) == 1
    persistent.disconnect()
    assert wait_for(lambda: offline(gate, "flip"))
    gate.http.post("/publish", json={"topic": "flip/1", "payload": "kept", "qos": 1}).raise_for_status()
    client = gate.http.get("/clients/flip").json()
    assert (client["clean_start"], client["mqueue_len"]) == (False, 1)


# -- the API ------------------------------------------------------------------------------

def test_a_message_published_over_mqtt_has_one_msgid_wherever_it_is_kept(gate):
    # each offline session's copy and the retained copy had an id of their own
    for clientid in ("one-a", "one-b"):
        persistent_subscriber(gate.mqtt_port, clientid, "one/#", 1).close()
        assert wait_for(lambda clientid=clientid: offline(gate, clientid))
    publisher = RawClient(gate.mqtt_port)
    publisher.connect("one-pub")
    publisher.publish("one/t", b"kept", qos=1, packet_id=7, retain=True)
    assert publisher.read().type == PUBACK
    publisher.close()
    queued = [gate.http.get(f"/clients/{c}/mqueue_messages").json()["data"] for c in ("one-a", "one-b")]
    retained = gate.http.get("/mqtt/retainer/message/one%2Ft").json()
    assert [m["msgid"] for messages in queued for m in messages] == [retained["msgid"]] * 2


def test_mqueue_and_inflight_messages_read_by_position(gate):
    sub = persistent_subscriber(gate.mqtt_port, "api-1", "api/#", 2)
    gate.http.post("/publish", json={"topic": "api/0", "payload": "zero", "qos": 1}).raise_for_status()
    assert sub.read_publish().payload == b"zero"
    sub.close()  # "zero" stays in flight
    assert wait_for(lambda: offline(gate, "api-1"))
    ids = [gate.http.post("/publish", json={"topic": f"api/{n}", "payload": f"m{n}", "qos": 2}).json()["id"]
           for n in range(1, 4)]

    first = gate.http.get("/clients/api-1/mqueue_messages", params={"limit": 2, "payload": "plain"}).json()
    assert [m["payload"] for m in first["data"]] == ["m1", "m2"]
    assert [m["msgid"] for m in first["data"]] == ids[:2]
    assert first["data"][0]["qos"] == 2 and first["data"][0]["topic"] == "api/1"
    assert first["meta"]["hasnext"] is True and first["meta"]["start"] == first["data"][0]["inserted_at"]
    rest = gate.http.get("/clients/api-1/mqueue_messages", params={"position": first["meta"]["position"]}).json()
    assert [m["payload"] for m in rest["data"]] == ["bTM="]  # base64 by default
    assert rest["meta"] == {"start": rest["data"][0]["inserted_at"], "position": "end_of_data", "hasnext": False}
    cut = gate.http.get("/clients/api-1/mqueue_messages", params={"payload": "none", "limit": 1}).json()
    assert cut["data"][0]["payload"] is None
    short = gate.http.get("/clients/api-1/mqueue_messages", params={"payload": "plain", "max_payload_bytes": 1})
    assert [m["payload"] for m in short.json()["data"]] == ["m", "m", "m"]

    inflight = gate.http.get("/clients/api-1/inflight_messages", params={"payload": "plain"}).json()
    assert [(m["payload"], m["qos"], m["from_clientid"]) for m in inflight["data"]] == [("zero", 1, gate.api_key)]
    assert inflight["meta"]["position"] == "end_of_data"

    assert gate.http.get("/sessions_count").json() >= 1
    assert gate.http.get("/sessions_count", params={"since": int(time.time()) + 3600}).json() == 0


@pytest.mark.parametrize("params", [{"position": "abc"}, {"position": "-1"}, {"payload": "hex"}, {"limit": 0},
                                    {"max_payload_bytes": -1}])
def test_bad_input_to_the_message_listings_is_400(gate, params):
    sub = persistent_subscriber(gate.mqtt_port, "bad-1", "bad/#", 1)
    sub.disconnect()
    for path in ("mqueue_messages", "inflight_messages"):
        response = gate.http.get(f"/clients/bad-1/{path}", params=params)
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "BAD_REQUEST"
    assert gate.http.get("/sessions_count", params={"since": "yesterday"}).status_code == 400


def test_message_listings_of_an_unknown_client_are_404(gate):
    for path in ("mqueue_messages", "inflight_messages"):
        response = gate.http.get(f"/clients/nobody/{path}")
        assert response.status_code == 404 and response.json()["code"] == "CLIENTID_NOT_FOUND"


# -- across restarts: mqttgate serve as a process -----------------------------------------

@pytest.fixture
def serve(tmp_path):
    made: list[Process] = []

    def start(env: dict[str, str] | None = None) -> Process:
        made.append(Process(SERVE, tmp_path, env=env))
        return made[-1].wait_ready(60)  # a loaded machine starts slowly

    yield start
    for process in made:
        process.close()


def api(process: Process, path: str, **params) -> httpx.Response:
    return httpx.get(f"{process.url}{path}", params=params, auth=process.api_auth(), timeout=10)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "kill-9"])
def test_queue_and_subscription_survive_a_restart(serve, sig):
    first = serve()
    sub = persistent_subscriber(first.mqtt_port, "keeper", "keep/#", 1)
    sub.disconnect()
    assert wait_for(lambda: api(first, "/clients/keeper").json()["connected"] is False)
    publish_acked(first.mqtt_port, "keep/it", [b"q0", b"q1", bytes(range(256))])
    first.stop(sig)
    first.close()

    second = serve()
    client = api(second, "/clients/keeper").json()
    assert (client["connected"], client["mqueue_len"], client["subscriptions_cnt"]) == (False, 3, 1)
    again = RawClient(second.mqtt_port)
    assert again.connect("keeper", clean=False) == (True, 0)
    got = [again.read_publish() for _ in range(3)]
    assert [m.payload for m in got] == [b"q0", b"q1", bytes(range(256))]  # in order, binary intact
    for message in got:
        again.ack(PUBACK, message.packet_id)
    publish_acked(second.mqtt_port, "keep/later", [b"later"])  # the subscription is still there
    assert again.read_publish().payload == b"later"
    again.disconnect()


def test_an_unacknowledged_message_is_resent_with_dup_after_kill_9(serve):
    first = serve()
    sub = persistent_subscriber(first.mqtt_port, "crash-sub", "crash/#", 1)
    publish_acked(first.mqtt_port, "crash/1", [b"in flight"])
    message = sub.read_publish()
    first.stop(signal.SIGKILL)  # before the subscriber's PUBACK
    first.close()
    sub.close()

    second = serve()
    assert api(second, "/clients/crash-sub").json()["inflight_cnt"] == 1
    again = RawClient(second.mqtt_port)
    assert again.connect("crash-sub", clean=False) == (True, 0)
    resent = again.read_publish()
    assert (resent.payload, resent.dup, resent.packet_id) == (b"in flight", True, message.packet_id)
    again.ack(PUBACK, resent.packet_id)
    again.disconnect()


def test_qos2_in_flight_state_survives_kill_9(serve):
    first = serve()
    sub = persistent_subscriber(first.mqtt_port, "q2-crash", "q2c/#", 2)
    publish_acked(first.mqtt_port, "q2c/1", [b"pubrec-ed"], qos=2)
    message = sub.read_publish()
    sub.ack(PUBREC, message.packet_id)
    assert sub.read().type == PUBREL
    publish_acked(first.mqtt_port, "q2c/2", [b"not yet"], qos=2)
    second_message = sub.read_publish()
    first.stop(signal.SIGKILL)
    first.close()
    sub.close()

    second = serve()
    again = RawClient(second.mqtt_port)
    assert again.connect("q2-crash", clean=False) == (True, 0)
    pubrel = again.read()
    assert (pubrel.type, pubrel.packet_id) == (PUBREL, message.packet_id)  # no second PUBLISH of the first
    resent = again.read_publish()
    assert (resent.payload, resent.dup, resent.packet_id) == (b"not yet", True, second_message.packet_id)
    again.disconnect()


def test_retained_over_mqtt_is_kept_after_kill_9_once_acknowledged(serve):
    first = serve()
    publish_acked(first.mqtt_port, "kept/retained", [b"\x00\xffstill here"], retain=True)
    first.stop(signal.SIGKILL)  # right after the PUBACK
    first.close()
    second = serve()
    response = api(second, "/mqtt/retainer/message/kept%2Fretained")
    assert response.status_code == 200, response.text
    assert base64.b64decode(response.json()["payload"]) == b"\x00\xffstill here"


def test_session_expiry_counts_from_the_stored_disconnect_time_across_a_restart(serve):
    short = {"MQTTGATE_MQTT__SESSION_EXPIRY_INTERVAL": "3"}
    first = serve(short)
    sub = persistent_subscriber(first.mqtt_port, "expiring", "exp/#", 1)
    sub.disconnect()
    assert wait_for(lambda: api(first, "/clients/expiring").json()["connected"] is False)
    first.stop(signal.SIGTERM)
    first.close()
    time.sleep(3.5)  # expired while the broker was down
    second = serve(short)
    assert wait_for(lambda: api(second, "/clients/expiring").status_code == 404, 5)
    fresh = RawClient(second.mqtt_port)
    assert fresh.connect("expiring", clean=False) == (False, 0)
    fresh.disconnect()


def test_a_paho_persistent_subscriber_gets_its_queue_after_a_restart(serve):
    first = serve()
    client = MqttClient(first.mqtt_port, "paho-keeper", clean_session=False).connect()
    client.subscribe("paho/#", 1)
    client.close()
    publish_acked(first.mqtt_port, "paho/1", [b"a", b"b"])
    first.stop(signal.SIGTERM)
    first.close()
    second = serve()
    again = MqttClient(second.mqtt_port, "paho-keeper", clean_session=False).connect()
    try:
        assert wait_for(lambda: len(again.messages) == 2, 10)
        assert [m.payload for m in again.messages] == [b"a", b"b"]
    finally:
        again.close()


def test_a_backup_holds_the_persistent_sessions_and_a_restore_brings_them_back(gate):
    sub = persistent_subscriber(gate.mqtt_port, "backed-up", "bk/#", 1)
    sub.disconnect()
    assert wait_for(lambda: offline(gate, "backed-up"))
    publish_acked(gate.mqtt_port, "bk/1", [b"b1", b"b2"])
    made = gate.http.post("/data/export")
    assert made.status_code == 200, made.text
    assert gate.http.delete("/clients/backed-up").status_code == 204
    assert gate.http.get("/clients/backed-up").status_code == 404

    assert gate.http.post("/data/import", json={"filename": made.json()["filename"]}).status_code == 204
    client = gate.http.get("/clients/backed-up").json()
    assert (client["connected"], client["mqueue_len"], client["subscriptions_cnt"]) == (False, 2, 1)
    again = RawClient(gate.mqtt_port)
    assert again.connect("backed-up", clean=False) == (True, 0)
    got = [again.read_publish() for _ in range(2)]
    assert [m.payload for m in got] == [b"b1", b"b2"]
    for message in got:
        again.ack(PUBACK, message.packet_id)
    publish_acked(gate.mqtt_port, "bk/2", [b"b3"])  # subscribed again, too
    assert again.read_publish().payload == b"b3"
    again.disconnect()


@pytest.mark.parametrize(("durability", "kept"), [("async", True), ("memory", False)])
def test_async_keeps_sessions_across_a_graceful_restart_and_memory_does_not(tmp_path, durability, kept):
    from tests.live import gate_config, start_gate

    config = gate_config(tmp_path / "data", MQTTGATE_MQTT__DURABILITY=durability)
    first = start_gate(config)
    try:
        sub = persistent_subscriber(first.mqtt_port, "mode-sub", "mode/#", 1)
        sub.disconnect()
        assert wait_for(lambda: offline(first, "mode-sub"))
        publish_acked(first.mqtt_port, "mode/1", [b"m"])
    finally:
        first.stop()
    second = start_gate(config)
    try:
        again = RawClient(second.mqtt_port)
        assert again.connect("mode-sub", clean=False) == (kept, 0)
        if kept:
            assert again.read_publish().payload == b"m"
        again.close()
    finally:
        second.stop()
