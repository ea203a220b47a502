"""MQTT topics and filters as NATS subjects: lossless, and matching exactly what MQTT matches."""

from __future__ import annotations

import itertools

import pytest

from mqttgate.broker import topics
from mqttgate.broker.cluster.subjects import (
    envelope,
    filter_subjects,
    open_envelope,
    subject_topic,
    topic_subject,
)

TOPICS = ["a", "a/b", "a/b/c", "a/", "/a", "/", "//", "a//b", "a.b", "a.b/c", "a b", " ", "a/b c/d", "*", ">",
          "a/*/b", "a/>", "%", "%25", "a%2Eb", "ünï/çødé", "tab\there", "$SYS/x", "$SYS", "$share/a", "a/$x",
          "dollar$/x", "a/b/c/d"]
FILTERS = ["#", "+", "a/#", "a/+", "+/b", "a/+/c", "/#", "+/+", "a/b/#", "$SYS/#", "$SYS/+", "+/x", "a.b/#",
           "a b", "a//b", "a/", "/+", "+/", "*", ">", "%", "ünï/+", "a/$x", "$SYS", "+/+/+/+"]


def nats_matches(subject: str, pattern: str) -> bool:
    """NATS subject matching: '*' is one token, '>' one or more at the end."""
    names, tokens = subject.split("."), pattern.split(".")
    for index, token in enumerate(tokens):
        if token == ">":
            return len(names) > index
        if index >= len(names) or token not in ("*", names[index]):
            return False
    return len(names) == len(tokens)


@pytest.mark.parametrize("topic", TOPICS)
def test_a_topic_comes_back_from_its_subject_unchanged(topic):
    subject = topic_subject(topic)
    assert subject_topic(subject) == topic
    assert all(token and not any(c.isspace() for c in token) for token in subject.split("."))
    assert all(token not in ("*", ">") for token in subject.split("."))


def test_different_topics_have_different_subjects():
    assert len({topic_subject(t) for t in TOPICS}) == len(TOPICS)


@pytest.mark.parametrize(("topic", "topic_filter"), itertools.product(TOPICS, FILTERS))
def test_a_filter_subjects_carry_exactly_the_topics_it_matches(topic, topic_filter):
    carried = any(nats_matches(topic_subject(topic), s) for s in filter_subjects(topic_filter))
    assert carried == topics.matches(topic, topic_filter)


def test_hash_matches_its_parent_level_and_leading_wildcards_skip_dollar_topics():
    assert any(nats_matches(topic_subject("a"), s) for s in filter_subjects("a/#"))
    assert not any(nats_matches(topic_subject("$SYS/x"), s) for s in filter_subjects("#"))
    assert not any(nats_matches(topic_subject("$SYS/x"), s) for s in filter_subjects("+/x"))
    assert any(nats_matches(topic_subject("$SYS/x"), s) for s in filter_subjects("$SYS/#"))


def test_the_envelope_keeps_qos_id_and_payload():
    data = envelope(2, b"12345678", 7, b"\x00payload")
    qos, message_id, payload = open_envelope(data)
    assert (qos, payload) == (2, b"\x00payload")
    assert message_id != open_envelope(envelope(2, b"12345678", 8, b""))[1]
