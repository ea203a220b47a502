"""The broker's route table: the filters a topic matches, found through the index as by trying them all."""

from __future__ import annotations

import random

from mqttgate.broker import topics
from mqttgate.broker.amqtt.route_table import RouteTable
from tests.rawmqtt import RawClient

LEVELS = ["a", "b", "", "$SYS", "c"]


def _filter(rng: random.Random) -> str:
    names = [rng.choice([*LEVELS, "+"]) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.3:
        names.append("#")
    return "/".join(names)


def _topic(rng: random.Random) -> str:
    return "/".join(rng.choice(LEVELS) for _ in range(rng.randint(1, 5)))


def _tried_one_by_one(table: dict, topic: str) -> list:
    return [(f, subscriptions) for f, subscriptions in table.items() if topics.matches(topic, f)]


def test_matching_finds_what_trying_every_filter_finds_in_the_same_order():
    rng = random.Random(13)
    table = RouteTable()
    for step in range(3000):
        action = rng.random()
        if action < 0.5:
            table[_filter(rng)] = [step]  # a new filter goes last; one held again keeps its place
        elif action < 0.75 and table:
            del table[rng.choice(list(table))]
        elif action < 0.85 and table:
            assert table.pop(rng.choice(list(table)))
        elif action < 0.88:
            table.setdefault(_filter(rng), [step])
        elif action < 0.89 and table:
            table.popitem()
        elif action < 0.9:
            table.update({_filter(rng): [step]}, **{"x": [step]})
        elif action < 0.905:
            table |= {_filter(rng): [step]}
        elif action < 0.91:
            table.clear()
        topic = _topic(rng)
        assert table.matching(topic) == _tried_one_by_one(table, topic), topic


def test_the_edge_cases_of_mqtt_matching():
    table = RouteTable()
    for a_filter in ("#", "+", "+/+", "a/#", "a/+", "a", "/a", "+/#", "$SYS/#", "a//b", "a/+/b"):
        table[a_filter] = [a_filter]
    assert [f for f, _ in table.matching("a")] == ["#", "+", "a/#", "a", "+/#"]  # '#' takes the parent level too
    assert [f for f, _ in table.matching("$SYS/x")] == ["$SYS/#"]  # [MQTT-4.7.2-1]
    assert [f for f, _ in table.matching("/a")] == ["#", "+/+", "/a", "+/#"]
    assert [f for f, _ in table.matching("a//b")] == ["#", "a/#", "+/#", "a//b", "a/+/b"]


def test_removing_filters_leaves_no_index_behind():
    table = RouteTable()
    for n in range(100):
        table[f"x/{n}/+"] = []
        table[f"x/{n}/#"] = []
    for a_filter in list(table):
        del table[a_filter]
    assert table._root.next == {} and table._order == {}
    table["x/1/+"] = ["again"]
    assert table.matching("x/1/y") == [("x/1/+", ["again"])]


def test_a_message_is_matched_only_against_the_filters_that_can_match_it(gate, monkeypatch):
    # amqtt tried every filter held for every message: 10,000 clients with a filter each, and a
    # message took 25 ms to route (bench/routing.py: 41 msg/s)
    idle = [RawClient(gate.mqtt_port) for _ in range(200)]
    try:
        for n, client in enumerate(idle):
            client.connect(f"idle-{n}")
            client.subscribe(f"idle/{n}/+", 0)
        receiver = RawClient(gate.mqtt_port)
        receiver.connect("receiver")
        receiver.subscribe("room/+/temp", 1)
        tried = []
        matches = topics.matches

        def counted(topic, a_filter):
            tried.append(a_filter)
            return matches(topic, a_filter)

        monkeypatch.setattr(topics, "matches", counted)
        assert gate.http.post("/publish", json={"topic": "room/1/temp", "payload": "21", "qos": 1}).status_code == 200
        assert receiver.read_publish().payload == b"21"
        assert tried == ["room/+/temp"]
        receiver.close()
    finally:
        for client in idle:
            client.close()
