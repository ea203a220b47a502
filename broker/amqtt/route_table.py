"""The broker's subscriptions by topic filter, indexed so that a topic finds its filters without trying them all.

amqtt routes each message by matching its topic against every filter any client holds: at
10,000 clients with a filter each, 10,000 matches for every message (bench/routing.py). The
filters are kept here in a trie by level, as mosquitto and EMQX keep theirs: a topic walks
down its own levels, `+` and `#`, and meets only the filters that can match it.
"""

from __future__ import annotations

from typing import Any

from mqttgate.broker import topics


class _Level:
    __slots__ = ("filters", "next")

    def __init__(self) -> None:
        self.next: dict[str, _Level] = {}
        self.filters: list[str] = []  # the filters that end at this level


class RouteTable(dict):
    """amqtt's `Broker._subscriptions`, a dict of topic filter -> [(session, qos)], with its filters indexed.

    Every change to the dict's keys (amqtt's, and ours) keeps the index; `matching` gives what
    a message to a topic must reach, in the dict's own order, as amqtt's walk over it would.
    """

    def __init__(self) -> None:
        super().__init__()
        self._root = _Level()
        self._order: dict[str, int] = {}  # a filter's place in the dict's order: when it was (re)added
        self._added = 0

    def matching(self, topic: str) -> list[tuple[str, list[Any]]]:
        """The filters that match `topic`, each with its subscriptions (the dict's own lists)."""
        found: set[str] = set()
        _collect(self._root, topic.split("/"), 0, found)
        order = self._order
        return [(a_filter, self[a_filter]) for a_filter in sorted(found, key=order.__getitem__)
                if topics.matches(topic, a_filter)]  # `$` topics and leading wildcards: the same rule as before

    def __setitem__(self, a_filter: str, subscriptions: list[Any]) -> None:
        if a_filter not in self:
            self._index(a_filter)
        super().__setitem__(a_filter, subscriptions)

    def __delitem__(self, a_filter: str) -> None:
        super().__delitem__(a_filter)
        self._unindex(a_filter)

    def setdefault(self, a_filter: str, default: Any = None) -> Any:
        if a_filter not in self:
            self[a_filter] = default
        return self[a_filter]

    def pop(self, a_filter: str, *default: Any) -> Any:
        if a_filter in self:
            self._unindex(a_filter)
        return super().pop(a_filter, *default)

    def popitem(self) -> tuple[str, Any]:
        a_filter, subscriptions = super().popitem()
        self._unindex(a_filter)
        return a_filter, subscriptions

    def update(self, *args: Any, **kwargs: Any) -> None:
        for a_filter, subscriptions in dict(*args, **kwargs).items():
            self[a_filter] = subscriptions

    def __ior__(self, other: Any) -> RouteTable:
        self.update(other)
        return self

    def clear(self) -> None:
        super().clear()
        self._root = _Level()
        self._order.clear()

    def _index(self, a_filter: str) -> None:
        level = self._root
        for name in a_filter.split("/"):
            level = level.next.setdefault(name, _Level())
        level.filters.append(a_filter)
        self._order[a_filter] = self._added
        self._added += 1

    def _unindex(self, a_filter: str) -> None:
        del self._order[a_filter]
        path = [self._root]
        names = a_filter.split("/")
        for name in names:
            path.append(path[-1].next[name])
        path[-1].filters.remove(a_filter)
        for depth in range(len(names), 0, -1):  # levels left with nothing below them go
            level = path[depth]
            if level.filters or level.next:
                break
            del path[depth - 1].next[names[depth - 1]]


def _collect(level: _Level, names: list[str], depth: int, found: set[str]) -> None:
    rest = level.next.get("#")
    if rest is not None:  # `#` matches what is left, nothing included ("a/#" matches "a")
        found.update(rest.filters)
    if depth == len(names):
        found.update(level.filters)
        return
    for name in (names[depth], "+"):
        below = level.next.get(name)
        if below is not None:
            _collect(below, names, depth + 1, found)
