"""The broker's fast paths (broker/amqtt/fastpath.py): amqtt's behaviour at a lower cost, pinned here."""

from __future__ import annotations

import asyncio

from mqttgate.broker.amqtt.fastpath import FLUSH_AT, CoalescingWriter
from tests.conftest import wait_for
from tests.rawmqtt import PUBACK, RawClient, publish


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
