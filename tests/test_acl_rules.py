"""ACL decisions without a broker: topic matching, rule order, placeholders, eq, no_match."""

from __future__ import annotations

import pytest

from mqttgate.broker.acl import Acl, AclEntry, AclRule, covers
from mqttgate.broker.errors import AlreadyExists, NotFound
from mqttgate.broker.store import Store


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "mqttgate.db")
    yield store
    store.close()


def rule(topic: str, permission: str = "deny", action: str = "all") -> AclRule:
    return AclRule(topic=topic, permission=permission, action=action)


@pytest.mark.parametrize("rule_filter, topic, expected", [
    ("a/b", "a/b", True), ("a/b", "a/c", False), ("a/+", "a/b", True), ("a/+", "a/b/c", False),
    ("a/#", "a", True), ("a/#", "a/b/c", True), ("#", "a/b", True), ("+/+", "a/b", True),
    ("#", "$SYS/x", False), ("+/x", "$SYS/x", False), ("$SYS/#", "$SYS/x", True),
    # a subscription's filter is covered only if every topic it matches is
    ("a/#", "a/+", True), ("a/+", "a/+", True), ("a/+", "a/#", False), ("a/b", "a/+", False),
    ("#", "#", True), ("a/#", "#", False), ("+/b", "+/b", True), ("+/b", "+/#", False),
])
def test_covers(rule_filter, topic, expected):
    assert covers(rule_filter.split("/"), topic.split("/")) is expected


def test_first_matching_rule_decides_client_rules_then_username_then_all(store):
    acl = Acl(store, no_match="allow")
    acl.set_rules_for_all([rule("x/#", "deny", "publish")])
    acl.put("username", "alice", [rule("x/a", "allow", "publish")])
    acl.put("clientid", "c1", [rule("x/a", "deny", "publish"), rule("x/a", "allow", "publish")])
    assert acl.allows("c2", "alice", "publish", "x/a")  # alice's rule before the rule for all
    assert not acl.allows("c2", "alice", "publish", "x/b")
    assert not acl.allows("c1", "alice", "publish", "x/a")  # c1's own first rule
    assert not acl.allows("c3", None, "publish", "x/a")
    assert acl.allows("c3", None, "publish", "y")  # no match: allow
    assert acl.allows("c3", None, "subscribe", "x/#")  # a publish rule says nothing of subscribe


def test_no_match_deny_denies_what_no_rule_allows_but_not_delivery(store):
    acl = Acl(store, no_match="deny")
    assert not acl.allows("c", "u", "publish", "a") and not acl.allows("c", "u", "subscribe", "a/#")
    acl.put("clientid", "c", [rule("a/#", "allow", "all")])
    assert acl.allows("c", "u", "publish", "a/b") and acl.allows("c", "u", "subscribe", "a/#")
    assert not acl.allows("c", "u", "subscribe", "#")
    assert acl.allows("c", "u", "receive", "a/b")  # the subscription was allowed: so is what it brings


def test_receive_is_denied_only_by_a_subscribe_rule_on_the_topic(store):
    acl = Acl(store, no_match="allow")
    acl.put("clientid", "reader", [rule("secret/#", "deny", "subscribe"), rule("eq #", "deny", "subscribe")])
    assert acl.allows("reader", None, "subscribe", "+/x")  # covers more than secret/#: allowed ...
    assert not acl.allows("reader", None, "receive", "secret/x")  # ... but secrets are not delivered
    assert acl.allows("reader", None, "receive", "public/x")
    assert not acl.allows("reader", None, "subscribe", "#")  # eq: literally "#"
    assert acl.allows("reader", None, "receive", "a/b")  # eq # matches no topic


def test_placeholders_match_the_clients_own_value_as_a_literal_level(store):
    acl = Acl(store, no_match="deny")
    acl.set_rules_for_all([rule("devices/${clientid}/#", "allow"), rule("users/${username}/inbox", "allow")])
    assert acl.allows("d1", None, "publish", "devices/d1/temp")
    assert not acl.allows("d1", None, "publish", "devices/d2/temp")
    assert acl.allows("d1", "bob", "subscribe", "users/bob/inbox")
    assert not acl.allows("d1", None, "subscribe", "users/bob/inbox")  # no username: no match
    assert not acl.allows("+", None, "subscribe", "devices/+/#")  # a client id is never a wildcard
    assert not acl.allows("a/b", None, "publish", "devices/a/b/x")  # nor more than one level


def test_decisions_follow_rule_changes(store):
    acl = Acl(store, no_match="allow")
    assert acl.allows("c", None, "publish", "t")
    acl.put("clientid", "c", [rule("t")])
    assert not acl.allows("c", None, "publish", "t")
    acl.delete("clientid", "c")
    assert acl.allows("c", None, "publish", "t")
    acl.set_rules_for_all([rule("t")])
    assert not acl.allows("c", None, "publish", "t")
    acl.set_rules_for_all([])
    assert acl.allows("c", None, "publish", "t")


def test_registry_keeps_order_refuses_duplicates_and_persists(store):
    acl = Acl(store)
    acl.create("clientid", [AclEntry("b", (rule("1"),)), AclEntry("a", (rule("2"), rule("3", "allow", "publish")))])
    with pytest.raises(AlreadyExists, match="'a'"):
        acl.create("clientid", [AclEntry("c", ()), AclEntry("a", ())])
    with pytest.raises(AlreadyExists, match="'d'"):
        acl.create("clientid", [AclEntry("d", ()), AclEntry("d", ())])
    with pytest.raises(NotFound):
        acl.get("username", "a")
    reopened = Acl(store)
    assert [e.who for e in reopened.list("clientid", page=1, limit=10).items] == ["b", "a"]
    assert reopened.get("clientid", "a").rules == (rule("2"), rule("3", "allow", "publish"))
    assert reopened.list("clientid", like="c", page=1, limit=10).items == []
