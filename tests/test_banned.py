"""Banned clients: refused CONNECTs, kicks at once, lapsing, listing, and bad input refused."""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from mqttgate.broker.banned import BanFilter, Bans
from mqttgate.broker.store import Store
from tests.conftest import MqttClient, wait_for
from tests.live import start_gate

NOT_AUTHORIZED = 135  # paho reports MQTT 3.1.1's CONNACK 5 (not authorized) as reason code 135


def ban(gate, **body) -> dict:
    response = gate.http.post("/banned", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def listed(gate, **params) -> list[tuple[str, str]]:
    response = gate.http.get("/banned", params=params)
    assert response.status_code == 200, response.text
    return [(b["as"], b["who"]) for b in response.json()["data"]]


def mosquitto_pub(gate, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(gate.mqtt_port), "-t", "t", "-m", "x", *args],
                          capture_output=True, text=True, timeout=30)


def test_a_ban_kicks_the_connected_client_at_once_and_refuses_its_connects(gate, mqtt_client):
    victim = mqtt_client("intruder")
    victim.client.reconnect_delay_set(60, 60)  # paho must not come back on its own
    mqtt_client("bystander")

    body = ban(gate, **{"as": "clientid", "who": "intruder", "reason": "abuse"})

    assert body["by"] == gate.api_key and body["reason"] == "abuse" and body["until"] == "infinity"
    assert gate.http.get("/clients/intruder").status_code == 404  # gone before the answer
    assert wait_for(lambda: victim.disconnected), "the banned client's connection stayed open"
    assert mqtt_client("intruder").connack == NOT_AUTHORIZED
    refused = mosquitto_pub(gate, "-i", "intruder")
    assert refused.returncode != 0 and "not authorised" in refused.stderr
    assert gate.http.get("/clients/bystander").json()["connected"] is True
    assert mosquitto_pub(gate, "-i", "someone-else").returncode == 0


@pytest.mark.parametrize("kind, who, refused, accepted", [
    ("username", "mallory", ("c1", "mallory"), ("c2", "alice")),
    ("clientid_re", r"^bot-\d+$", ("bot-17", None), ("bot-x", None)),
    ("username_re", "^evil", ("c3", "evil-twin"), ("c4", "not-evil")),
    ("peerhost", "0:0:0:0:0:ffff:127.0.0.1", ("c5", None), None),  # IPv4-mapped: the same address
    ("peerhost_net", "127.1.2.3/8", ("c6", None), None),
])
def test_each_kind_of_ban_refuses_the_connects_it_names(gate, mqtt_client, kind, who, refused, accepted):
    ban(gate, **{"as": kind, "who": who})
    assert mqtt_client(refused[0], username=refused[1], password="pw").connack == NOT_AUTHORIZED
    if accepted:
        assert mqtt_client(accepted[0], username=accepted[1], password="pw").connack == 0


def test_a_ban_elsewhere_refuses_nobody_here(gate, mqtt_client):
    ban(gate, **{"as": "peerhost", "who": "10.1.2.3"})
    ban(gate, **{"as": "peerhost_net", "who": "::/0"})
    assert mqtt_client("local").connack == 0


def test_a_ban_lapses_at_until(gate, mqtt_client):
    until = datetime.now(UTC) + timedelta(seconds=3)
    body = ban(gate, **{"as": "clientid", "who": "temp", "until": until.isoformat()})
    assert body["until"] == until.isoformat(timespec="milliseconds")
    assert mosquitto_pub(gate, "-i", "temp").returncode != 0
    assert wait_for(lambda: mosquitto_pub(gate, "-i", "temp").returncode == 0, timeout=20)
    assert listed(gate) == []  # lapsed bans are dropped
    assert ban(gate, **{"as": "clientid", "who": "temp"})["until"] == "infinity"  # and may be banned anew


@pytest.mark.parametrize("body, message", [
    ({"as": "clientid_re", "who": "(unclosed"},
     "Invalid regular expression '(unclosed' for clientid_re: missing ): (unclosed"),
    ({"as": "username_re", "who": "a**"}, "Invalid regular expression 'a**' for username_re: bad repetition operator"),
    # RE2 has no backreferences and no lookaround: refused when created, with the reason
    ({"as": "clientid_re", "who": r"(a)\1"},
     "Invalid regular expression '(a)\\\\1' for clientid_re: invalid escape sequence: \\1 (RE2 syntax"),
    ({"as": "clientid_re", "who": "(?=a)b"}, "for clientid_re: invalid perl operator: (?="),
    ({"as": "peerhost_net", "who": "10.0.0.0/33"}, "Invalid peerhost_net '10.0.0.0/33'"),
    ({"as": "peerhost_net", "who": "everyone"}, "Invalid peerhost_net 'everyone'"),
    ({"as": "peerhost", "who": "localhost"}, "Invalid peerhost 'localhost': not an IPv4 or IPv6 address"),
    ({"as": "clientid", "who": "x", "until": "2001-01-01T00:00:00Z"},
     "until (2001-01-01T00:00:00+00:00) has passed: a ban must lapse in the future"),
    ({"as": "clientid", "who": "x", "until": "next week"}, "until"),
    ({"as": "nickname", "who": "x"}, "'nickname' is not one of"),
    ({"as": "clientid"}, "'who' is a required property"),
    ({"as": "clientid", "who": ""}, "'' should be non-empty at who"),
])
def test_a_bad_ban_is_400_with_the_reason_and_bans_nobody(gate, mqtt_client, body, message):
    response = gate.http.post("/banned", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST" and message in response.json()["message"]
    assert listed(gate) == []
    assert mqtt_client("x").connack == 0


def test_a_catastrophic_backtracking_ban_matches_in_linear_time(gate, mqtt_client):
    # Python's re took 8.5 s (4x per two more characters) on this client id against this
    # ban, and froze the whole process; RE2 answers in microseconds.
    ban(gate, **{"as": "clientid_re", "who": "(a+)+$"})
    assert mqtt_client("a" * 26).connack == NOT_AUTHORIZED
    started = time.monotonic()
    client = mqtt_client("a" * 26 + "!", connect=False).connect(wait=False)
    assert wait_for(lambda: client.connack is not None, timeout=10)
    assert client.connack == 0
    assert gate.http.get("/status").status_code == 200
    assert time.monotonic() - started < 2  # generous: it was 8.5 s


def test_a_stored_ban_re2_cannot_compile_matches_nobody_and_loads(tmp_path):
    store = Store(tmp_path / "mqttgate.db")
    try:
        store.db.execute("INSERT INTO banned (kind, who, banned_by, reason, at) VALUES (?, ?, ?, ?, ?)",
                         ("clientid_re", r"(a)\1", "old", "", datetime.now(UTC).isoformat()))
        bans = Bans(store)  # a restored backup from before RE2: loads, and says so in the log
        assert bans.list(BanFilter(), page=1, limit=10).items[0].who == r"(a)\1"
        assert bans.match("aa", None, None) is None
    finally:
        store.close()


def test_banning_twice_is_409(gate):
    ban(gate, **{"as": "username", "who": "mallory", "reason": "first"})
    again = gate.http.post("/banned", json={"as": "username", "who": "mallory", "reason": "second"})
    assert again.status_code == 409
    assert again.json() == {"code": "ALREADY_EXISTS", "message": "username 'mallory' is already banned"}
    assert gate.http.get("/banned").json()["data"][0]["reason"] == "first"


def test_listing_filters_and_pages(gate):
    for kind, who in [("clientid", "a1"), ("clientid_re", "^a"), ("username", "u1"), ("username_re", "^u"),
                      ("peerhost", "10.0.0.1"), ("peerhost_net", "10.1.0.0/16")]:
        ban(gate, **{"as": kind, "who": who, "by": "ops-team"})
    everything = gate.http.get("/banned").json()
    assert everything["meta"] == {"page": 1, "limit": 100, "count": 6, "hasnext": False}
    assert all(b["by"] == "ops-team" for b in everything["data"])
    assert listed(gate, clientid="a1") == [("clientid", "a1")]
    assert listed(gate, like_clientid="a") == [("clientid", "a1"), ("clientid_re", "^a")]
    assert listed(gate, like_username="u") == [("username", "u1"), ("username_re", "^u")]
    assert listed(gate, like_peerhost="10.") == [("peerhost", "10.0.0.1"), ("peerhost_net", "10.1.0.0/16")]
    assert listed(gate, peerhost="10.0.0.1") == [("peerhost", "10.0.0.1")]
    assert listed(gate, like_clientid="a", like_username="u") == []  # every filter must hold
    second = gate.http.get("/banned", params={"page": 2, "limit": 2}).json()
    assert [b["who"] for b in second["data"]] == ["u1", "^u"] and second["meta"]["hasnext"] is True
    assert "count" not in gate.http.get("/banned", params={"like_clientid": "a"}).json()["meta"]


def test_lifting_one_ban_or_all(gate, mqtt_client):
    ban(gate, **{"as": "clientid", "who": "x"})
    ban(gate, **{"as": "clientid_re", "who": "^site/a/.*"})
    ban(gate, **{"as": "peerhost", "who": "::1"})
    assert gate.http.delete("/banned/clientid/x").status_code == 204
    assert mqtt_client("x").connack == 0
    missing = gate.http.delete("/banned/clientid/x")
    assert missing.status_code == 404
    assert missing.json() == {"code": "NOT_FOUND", "message": "clientid 'x' is not banned"}
    assert gate.http.delete("/banned/peerhost/not-an-address").status_code == 404
    assert gate.http.delete(f"/banned/clientid_re/{quote('^site/a/.*')}").status_code == 204  # a / in who
    assert gate.http.delete("/banned/peerhost/0:0:0:0:0:0:0:1").status_code == 204  # any notation
    ban(gate, **{"as": "username", "who": "u"})
    ban(gate, **{"as": "clientid", "who": "y"})
    assert gate.http.delete("/banned").status_code == 204
    assert listed(gate) == []
    assert mqtt_client("y").connack == 0


def test_bans_survive_a_restart(gate):
    ban(gate, **{"as": "clientid", "who": "persistent-troll", "reason": "spam"})
    ban(gate, **{"as": "username_re", "who": "^spam"})
    gate.stop()
    again = start_gate(gate.config)
    try:
        assert listed(again) == [("clientid", "persistent-troll"), ("username_re", "^spam")]
        assert MqttClient(again.mqtt_port, "persistent-troll").connect().connack == NOT_AUTHORIZED
    finally:
        again.stop()
