"""MQTT 3.1.1 topic names and filters (§4.7): validation and matching, no broker state."""

from __future__ import annotations

from mqttgate.broker.errors import InvalidTopic

MAX_TOPIC_BYTES = 65535


def check_filter(topic_filter: str) -> str:
    """Return the filter if valid for SUBSCRIBE.

    Raises:
        InvalidTopic: empty, too long, a NUL, or a wildcard not alone in its level ('#' only last).
    """
    _check_common(topic_filter)
    levels = topic_filter.split("/")
    for index, level in enumerate(levels):
        if "#" in level and (level != "#" or index != len(levels) - 1):
            raise InvalidTopic(f"'#' must be a whole level and the last one: {topic_filter!r}")
        if "+" in level and level != "+":
            raise InvalidTopic(f"'+' must be a whole level: {topic_filter!r}")
    return topic_filter


def check_name(topic: str) -> str:
    """Return the topic name if valid for PUBLISH.

    Raises:
        InvalidTopic: empty, too long, a NUL, or a wildcard.
    """
    _check_common(topic)
    if "+" in topic or "#" in topic:
        raise InvalidTopic(f"A topic name has no wildcards: {topic!r}")
    return topic


def check_publish(topic: str) -> str:
    """Return the topic name if a message may be published to it (by a client or the API).

    Raises:
        InvalidTopic: not a valid topic name, or it starts with `$` (the broker's own topics).
    """
    check_name(topic)
    if topic.startswith("$"):
        raise InvalidTopic(f"Topics starting with $ are the broker's own; none may be published to: {topic!r}")
    return topic


def _check_common(topic: str) -> None:
    if not topic:
        raise InvalidTopic("The topic is empty")
    if "\0" in topic:
        raise InvalidTopic("A topic has no NUL character")
    if len(topic.encode("utf-8", "surrogatepass")) > MAX_TOPIC_BYTES:
        raise InvalidTopic(f"A topic has at most {MAX_TOPIC_BYTES} bytes of UTF-8")


def matches(topic: str, topic_filter: str) -> bool:
    """Whether a topic name matches a filter; `$` topics never match a leading wildcard."""
    if topic.startswith("$") and topic_filter.startswith(("+", "#")):
        return False
    names, levels = topic.split("/"), topic_filter.split("/")
    for index, level in enumerate(levels):
        if level == "#":
            return True
        if index >= len(names) or level not in ("+", names[index]):
            return False
    return len(names) == len(levels)
