"""MQTT 3.1.1 topic names and filters (§4.7): what may be published to, and what may be matched."""

from __future__ import annotations

from broker.errors import InvalidTopic

MAX_TOPIC_BYTES = 65535


def check_topic_name(topic: str) -> None:
    """Check that a message may be published to `topic`.

    Raises:
        InvalidTopic: empty, over 65535 UTF-8 bytes, not valid UTF-8, with a NUL or a
            wildcard, or starting with `$` (reserved for the broker).
    """
    _check_common(topic, "Topic")
    if "+" in topic or "#" in topic:
        raise InvalidTopic(f"Topic {_show(topic)} has a wildcard (+ or #); a message is published to one topic")
    if topic.startswith("$"):
        raise InvalidTopic(f"Topic {_show(topic)} starts with $, which is reserved for the broker")


def check_topic_filter(topic_filter: str) -> None:
    """Check that `topic_filter` is a valid subscription filter.

    Raises:
        InvalidTopic: empty, over 65535 UTF-8 bytes, not valid UTF-8, with a NUL, or with
            a wildcard that is not a whole level (`#` only as the last level).
    """
    _check_common(topic_filter, "Topic filter")
    levels = topic_filter.split("/")
    for index, level in enumerate(levels):
        if "#" in level and (level != "#" or index != len(levels) - 1):
            raise InvalidTopic(f"Topic filter {_show(topic_filter)}: # must be the whole last level")
        if "+" in level and level != "+":
            raise InvalidTopic(f"Topic filter {_show(topic_filter)}: + must be a whole level")


def _check_common(topic: str, what: str) -> None:
    if not topic:
        raise InvalidTopic(f"{what} is empty")
    try:
        size = len(topic.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidTopic(f"{what} {_show(topic)} is not valid UTF-8") from None
    if size > MAX_TOPIC_BYTES:
        raise InvalidTopic(f"{what} is {size} bytes in UTF-8; at most {MAX_TOPIC_BYTES} are allowed")
    if "\0" in topic:
        raise InvalidTopic(f"{what} {_show(topic)} contains the NUL character")


def _show(topic: str) -> str:
    return repr(topic if len(topic) <= 60 else topic[:57] + "...")
