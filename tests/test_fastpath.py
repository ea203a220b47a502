"""The broker's fast paths (broker/amqtt/fastpath.py): amqtt's behaviour at a lower cost, pinned here."""

from __future__ import annotations

import asyncio
import struct

from mqttgate.broker.amqtt.fastpath import FLUSH_AT, CoalescingWriter
from tests.conftest import wait_for
from tests.rawmqtt import (
    PINGRESP,
    PUBACK,
    PUBLISH,
    SUBACK,
    UNSUBACK,
    RawClient,
    packet,
    parse_publish,
    publish,
    string,
    subscribe,
    unsubscribe,
)


def test_coalescing_writer_writes_a_turns_packets_at_once_in_order_and_before_closing():
    async def scenario() -> list:
        received = bytearray()
        eof = asyncio.Event()

        async def peer(reader, writer):
            while data := await reader.read(65536):
                received.extend(data)
            eof.set()

        server = await asyncio.start_server(peer, "127.0.0.1", 0)
        _, stream = await asyncio.open_connection("127.0.0.1", server.sockets[0].getsockname()[1])
        sent = []
        real_write = stream.write
        stream.write = lambda data: (sent.append(bytes(data)), real_write(data))[1]
        writer = CoalescingWriter(stream)
        for part in (b"one", b"two", b"three"):
            writer.write(part)
            await writer.drain()  # no back-pressure: does not flush
        held = list(sent)
        await asyncio.sleep(0)  # the end of the turn
        after_turn = list(sent)
        writer.write(b"x" * FLUSH_AT)  # past the threshold: at once
        big = len(sent)
        writer.write(b"last")
        await writer.close()  # flushes what is held back first
        await asyncio.wait_for(eof.wait(), 5)
        server.close()
        return [held, after_turn, big, sent, bytes(received)]

    held, after_turn, big, sent, received = asyncio.run(scenario())
    assert held == []
    assert after_turn == [b"onetwothree"]
    assert big == 2
    assert sent[-1] == b"last"
    assert received == b"onetwothree" + b"x" * FLUSH_AT + b"last"


def test_a_burst_reaches_every_subscriber_complete_and_in_order(gate):
    subscribers = []
    for n in range(3):
        subscriber = RawClient(gate.mqtt_port)
        assert subscriber.connect(f"burst-sub-{n}") == (False, 0)
        assert subscriber.subscribe("burst/t", 1) == 1
        subscribers.append(subscriber)
    publisher = RawClient(gate.mqtt_port)
    publisher.connect("burst-pub")
    count = 300
    publisher.write(b"".join(publish("burst/t", b"%d" % n, qos=1, packet_id=n + 1) for n in range(count)))
    assert sorted(publisher.read().packet_id for _ in range(count)) == list(range(1, count + 1))
    for subscriber in subscribers:
        got = []
        for _ in range(count):
            message = subscriber.read_publish()
            assert message.qos == 1
            subscriber.ack(PUBACK, message.packet_id)
            got.append(message.payload)
        assert got == [b"%d" % n for n in range(count)]
    for n in range(3):
        assert wait_for(lambda n=n: gate.http.get(f"/clients/burst-sub-{n}").json()["inflight_cnt"] == 0, 10)
    for client in [publisher, *subscribers]:
        client.close()


def test_messages_sent_with_the_disconnect_in_one_write_are_all_routed(gate):
    subscriber = RawClient(gate.mqtt_port)
    subscriber.connect("tail-sub")
    subscriber.subscribe("tail/t", 0)
    publisher = RawClient(gate.mqtt_port)
    publisher.connect("tail-pub")
    publisher.write(b"".join(publish("tail/t", b"%d" % n) for n in range(50)) + b"\xe0\x00")  # + DISCONNECT
    assert [subscriber.read_publish().payload for _ in range(50)] == [b"%d" % n for n in range(50)]
    publisher.close()
    subscriber.close()


def test_session_state_moves_as_amqtts_state_machine():
    import pytest
    from amqtt.session import Session
    from transitions import MachineError

    from mqttgate.broker.amqtt.fastpath import SessionState, light_session

    def walk(session: Session, triggers: list[str]) -> list:
        seen = []
        for trigger in triggers:
            try:
                getattr(session.transitions, trigger)()
                outcome = "ok"
            except MachineError:
                outcome = "refused"
            seen.append((trigger, outcome, session.transitions.state, session.transitions.is_connected(),
                         session.last_connect_time is not None, session.last_disconnect_time is not None))
        return seen

    for triggers in (["connect", "connect", "disconnect", "disconnect", "connect"],
                     ["disconnect", "connect", "disconnect", "connect", "connect"]):
        light = light_session(Session())
        assert isinstance(light.transitions, SessionState)
        assert walk(light, triggers) == walk(Session(), triggers)
    connected = light_session(Session())
    connected.transitions.connect()
    with pytest.raises(MachineError):
        connected.transitions.connect()


def test_connected_clients_carry_the_light_session_state(gate):
    client = RawClient(gate.mqtt_port)
    assert client.connect("light-one", clean=False) == (False, 0)
    assert gate.http.get("/clients/light-one").json()["connected"] is True
    client.disconnect()
    assert wait_for(lambda: gate.http.get("/clients/light-one").json()["connected"] is False, 10)
    again = RawClient(gate.mqtt_port)
    assert again.connect("light-one", clean=False) == (True, 0)  # session present: resumed, connected again
    assert wait_for(lambda: gate.http.get("/clients/light-one").json()["connected"] is True, 10)
    again.close()


def test_a_connect_is_refused_as_amqtt_refuses_it(gate):
    # FastHandler.init_from_connect replaces amqtt's (for a session without transitions.Machine):
    # its refusals are amqtt's, each return code [MQTT-3.2.2-4..6] and the connection closed
    def answer(data: bytes) -> bytes:
        return RawClient(gate.mqtt_port).write(data).until_closed(10)[0]

    def connect_packet(clientid: bytes, *, level: int = 4, flags: int = 0x02, name: bytes = b"MQTT",
                       extra: bytes = b"") -> bytes:
        return packet(0x10, string(name) + bytes([level, flags]) + struct.pack(">H", 60) + string(clientid) + extra)

    assert answer(connect_packet(b"old-level", level=3)) == b"\x20\x02\x00\x01"  # unacceptable protocol
    assert answer(connect_packet(b"no-user", flags=0x42, extra=string(b"pw"))) == b"\x20\x02\x00\x04"
    assert answer(connect_packet(b"", flags=0x00)) == b"\x20\x02\x00\x02"  # no id, persistent
    assert answer(connect_packet(b"bad-name", name=b"MQIsdp")) == b""  # closed, no CONNACK
    made = RawClient(gate.mqtt_port)
    assert made.connect("") == (False, 0)  # no id, clean: one is made for it
    made.close()


def test_subscribe_and_unsubscribe_take_their_place_among_the_clients_publishes(gate):
    # FastPaths._client_message_loop: one inbox, in the order read
    client = RawClient(gate.mqtt_port)
    client.connect("inbox-one")
    client.write(subscribe(("inbox/a", 0)) + publish("inbox/a", b"1"))
    assert client.read().type == SUBACK  # then its own message
    assert client.read_publish().payload == b"1"
    client.write(unsubscribe("inbox/a", packet_id=2) + publish("inbox/a", b"2") + subscribe(("inbox/b", 0), packet_id=3)
                 + publish("inbox/b", b"3"))
    kinds = [client.read() for _ in range(3)]
    assert [k.type for k in kinds] == [UNSUBACK, SUBACK, PUBLISH]  # then only the inbox/b one
    assert parse_publish(kinds[2]).payload == b"3"
    client.close()


def test_a_resumed_session_connection_lives_on_with_its_queue_then_live_messages(gate):
    # the inbox drops what was for an ended connection (its disconnect) but keeps PUBLISHes
    sub = RawClient(gate.mqtt_port)
    sub.connect("inbox-resume", clean=False)
    assert sub.subscribe("resume/t", 1) == 1
    sub.disconnect()
    assert wait_for(lambda: gate.http.get("/clients/inbox-resume").json()["connected"] is False, 10)
    publisher = RawClient(gate.mqtt_port)
    publisher.connect("inbox-pub")
    publisher.publish("resume/t", b"queued", qos=1, packet_id=1)
    assert publisher.read().type == PUBACK
    again = RawClient(gate.mqtt_port)
    assert again.connect("inbox-resume", clean=False) == (True, 0)
    queued = again.read_publish()
    assert (queued.qos, queued.payload) == (1, b"queued")
    again.ack(PUBACK, queued.packet_id)
    publisher.publish("resume/t", b"live", qos=0)
    assert again.read_publish().payload == b"live"
    again.write(b"\xc0\x00")  # PINGREQ: still connected
    assert again.read().type == PINGRESP
    for client in (again, publisher):
        client.close()


def test_copies_written_at_once_keep_the_publish_order_across_qos_and_are_counted(gate):
    # Routing._deliver writes a copy at once (DurableHandler.mqtt_publish(now=True)) only when
    # nothing is written or waits before it; QoS 0 copies share one encoded packet
    publisher = RawClient(gate.mqtt_port)
    publisher.connect("order-pub")
    publisher.publish("order/t", b"retained", qos=1, packet_id=1, retain=True)
    assert publisher.read().type == PUBACK
    subscribers = []
    for n, qos in enumerate((1, 0)):
        sub = RawClient(gate.mqtt_port)
        sub.connect(f"order-sub-{n}")
        assert sub.subscribe("order/t", qos) == qos
        retained = sub.read_publish()
        assert retained.retain and retained.payload == b"retained"  # the retained one first
        if qos:
            sub.ack(PUBACK, retained.packet_id)
        subscribers.append((sub, qos))
    count = 200
    publisher.write(b"".join(publish("order/t", b"%d" % n, qos=n % 2, packet_id=n + 2) for n in range(count)))
    for sub, sub_qos in subscribers:
        got = []
        for _ in range(count):
            message = sub.read_publish()
            assert not message.retain
            assert message.qos == min(sub_qos, int(message.payload) % 2)
            if message.qos:
                sub.ack(PUBACK, message.packet_id)
            got.append(message.payload)
        assert got == [b"%d" % n for n in range(count)]
    for n in range(2):  # every copy went through PACKET_SENT: counted
        assert wait_for(lambda n=n: gate.http.get(f"/clients/order-sub-{n}").json()["send_msg"] == count + 1, 10)
    for client in [publisher, *(sub for sub, _ in subscribers)]:
        client.close()


def test_a_clean_session_that_ends_leaves_no_subscription_and_no_empty_topic(gate):
    # Routing._del_all_subscriptions drops a session's own filters (amqtt tries every filter)
    stays = RawClient(gate.mqtt_port)
    stays.connect("subs-stays")
    stays.subscribe("shared/t", 0)
    goes = RawClient(gate.mqtt_port)
    goes.connect("subs-goes")
    goes.write(subscribe(("shared/t", 1)) + subscribe(("own/t", 0), packet_id=2))
    assert [goes.read().type for _ in range(2)] == [SUBACK, SUBACK]
    goes.disconnect()
    assert wait_for(lambda: gate.http.get("/clients/subs-goes").status_code == 404, 10)
    listed = gate.http.get("/subscriptions").json()["data"]
    assert [(s["clientid"], s["topic"]) for s in listed] == [("subs-stays", "shared/t")]
    assert [t["topic"] for t in gate.http.get("/topics").json()["data"]] == ["shared/t"]
    stays.close()
