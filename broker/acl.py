"""ACL rules of the built-in database: per client id, per username, and for all clients.

A client's rules are its client id's, then its username's, then the rules for all, each
list in order; the first rule whose action and topic match decides, and when none does,
`no_match` decides. Superusers skip the rules (the broker checks that before asking).

Rule topics are MQTT topic filters. `eq <filter>` matches that filter literally, and a
level may hold `${clientid}` or `${username}`, which matches the client's own value as a
literal level (a `+` or `/` in a client id is never a wildcard). A publish matches a rule
whose filter matches its topic; a subscribe matches a rule whose filter covers every topic
of the subscribed filter. Messages are checked again on delivery: a message whose topic a
subscribe rule denies to the subscriber is not delivered, so that subscribing to `#`
does not reach what a rule denies.

This runs for every message and every subscriber: rules are compiled once, and decisions
are cached until the rules change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from typing import Any, Literal

from mqttgate.broker.adapter import Page
from mqttgate.broker.errors import AlreadyExists, NotFound
from mqttgate.broker.store import Store

Subject = Literal["clientid", "username"]
Check = Literal["publish", "subscribe", "receive"]  # receive: a message on its way to a subscriber
_PLACEHOLDERS = ("${clientid}", "${username}")


@dataclass(frozen=True)
class AclRule:
    """One rule (EMQX fields).

    Attributes:
        topic: a topic filter, `eq <filter>` for a literal match, with `${clientid}` and
            `${username}` placeholders.
        permission: `allow` or `deny`.
        action: `publish`, `subscribe` or `all`.
    """

    topic: str
    permission: Literal["allow", "deny"]
    action: Literal["publish", "subscribe", "all"]


@dataclass(frozen=True)
class AclEntry:
    """The rules of one client id or username, in order."""

    who: str
    rules: tuple[AclRule, ...]


class _Exact(str):
    """A topic level filled from a placeholder: matches only the same literal level."""


@dataclass(frozen=True)
class _Compiled:
    allow: bool
    publish: bool
    subscribe: bool
    eq: str | None
    levels: tuple[str, ...]
    templated: bool

    def matches(self, topic: str, levels: Sequence[str], clientid: str | None, username: str | None) -> bool:
        if self.eq is not None:
            return topic == self.eq
        rule = self.levels
        if self.templated:
            filled = _fill(rule, clientid, username)
            if filled is None:
                return False
            rule = filled
        return covers(rule, levels)


def compile_rule(rule: AclRule) -> _Compiled:
    eq = rule.topic[3:] if rule.topic.startswith("eq ") else None
    levels = tuple(rule.topic.split("/")) if eq is None else ()
    return _Compiled(
        allow=rule.permission == "allow", publish=rule.action in ("publish", "all"),
        subscribe=rule.action in ("subscribe", "all"), eq=eq, levels=levels,
        templated=any(p in level for level in levels for p in _PLACEHOLDERS),
    )


def covers(rule: Sequence[str], levels: Sequence[str]) -> bool:
    """Whether the filter `rule` matches every topic of `levels` (a topic or a filter, split on /)."""
    if levels and levels[0].startswith("$") and rule and rule[0] in ("+", "#") and not isinstance(rule[0], _Exact):
        return False  # [MQTT-4.7.2-1] wildcards at the first level do not match $ topics
    for i, level in enumerate(rule):
        if isinstance(level, _Exact):
            if i >= len(levels) or levels[i] != level or level in ("+", "#"):
                return False
            continue
        if level == "#":
            return True
        if i >= len(levels) or levels[i] == "#":
            return False
        if level != "+" and levels[i] != level:
            return False
    return len(levels) == len(rule)


def _fill(rule: Sequence[str], clientid: str | None, username: str | None) -> tuple[str, ...] | None:
    filled = []
    for level in rule:
        if "${" in level:
            if ("${clientid}" in level and clientid is None) or ("${username}" in level and username is None):
                return None
            level = _Exact(level.replace("${clientid}", clientid or "").replace("${username}", username or ""))
        filled.append(level)
    return tuple(filled)


class Acl:
    """The registry of ACL rules, and the decision for a client, an action and a topic.

    Args:
        store: the SQLite store.
        no_match: `allow` or `deny`, when no rule matches a publish or subscribe.
    """

    def __init__(self, store: Store, *, no_match: Literal["allow", "deny"] = "allow") -> None:
        self._db = store.db
        self.no_match = no_match
        # told of every change made here ("kind\0who", and its record or None): a cluster shares it
        self.on_change: Callable[[str, dict[str, Any] | None], None] | None = None
        self.reload()

    def reload(self) -> None:
        """Load the rules from the database again (after a restore)."""
        self._rules: dict[tuple[str, str], tuple[AclRule, ...]] = {}  # (kind, who), kind "all" with who ""
        for row in self._db.execute("SELECT * FROM acl_rules ORDER BY rowid"):
            self._rules[(row["kind"], row["who"])] = tuple(AclRule(**rule) for rule in json.loads(row["rules"]))
        self._recompile()

    def records(self) -> dict[str, dict[str, Any]]:
        """Every subject's rules as a plain record, by "kind\0who"."""
        return {f"{kind}\0{who}": _record(kind, who, rules) for (kind, who), rules in self._rules.items()}

    def apply(self, record: dict[str, Any]) -> None:
        """Hold the rules of one subject as set elsewhere (another node of a cluster); `on_change` is not told."""
        self._store([((record["kind"], record["who"]), tuple(AclRule(**rule) for rule in record["rules"]))],
                    share=False)

    def forget(self, ident: str) -> None:
        """Drop the rules of one subject ("kind\0who") deleted elsewhere (another node of a cluster)."""
        kind, _, who = ident.partition("\0")
        if (kind, who) in self._rules:
            self._db.execute("DELETE FROM acl_rules WHERE kind = ? AND who = ?", (kind, who))
            del self._rules[(kind, who)]
            self._recompile()

    def _recompile(self) -> None:
        self._compiled = {key: tuple(compile_rule(rule) for rule in rules) for key, rules in self._rules.items()}
        self._for_all = self._compiled.get(("all", ""), ())
        self._any = any(self._compiled.values())
        self._decisions: dict[tuple[str | None, str | None, str, str], bool] = {}

    def list(self, kind: Subject, *, like: str | None = None, page: int, limit: int) -> Page[AclEntry]:
        """One page of the client ids' (or usernames') rules, oldest first; `like` is a substring."""
        found = (AclEntry(who, rules) for (k, who), rules in self._rules.items()
                 if k == kind and (like is None or like in who))
        start = (page - 1) * limit
        chunk = list(islice(found, start, start + limit + 1))
        count = sum(1 for k, _ in self._rules if k == kind) if like is None else None
        return Page(chunk[:limit], hasnext=len(chunk) > limit, count=count)

    def get(self, kind: Subject, who: str) -> AclEntry:
        """The rules of one client id or username.

        Raises:
            NotFound: it has no rules stored.
        """
        rules = self._rules.get((kind, who))
        if rules is None:
            raise NotFound(f"No rules for {kind} {who!r}")
        return AclEntry(who, rules)

    def create(self, kind: Subject, entries: Sequence[AclEntry]) -> None:
        """Store the rules of several client ids (or usernames), none of which has rules yet.

        Raises:
            AlreadyExists: one of them has rules already, or is given twice; nothing is stored.
        """
        whos = [entry.who for entry in entries]
        taken = sorted({who for who in whos if (kind, who) in self._rules or whos.count(who) > 1})
        if taken:
            raise AlreadyExists(f"Rules for {kind} {', '.join(map(repr, taken))} already exist or are given twice")
        self._store([((kind, entry.who), entry.rules) for entry in entries])

    def put(self, kind: Subject, who: str, rules: Sequence[AclRule]) -> None:
        """Replace (or create) the rules of one client id or username."""
        self._store([((kind, who), tuple(rules))])

    def delete(self, kind: Subject, who: str) -> None:
        """Delete the rules of one client id or username.

        Raises:
            NotFound: it has no rules stored.
        """
        self.get(kind, who)
        self._db.execute("DELETE FROM acl_rules WHERE kind = ? AND who = ?", (kind, who))
        del self._rules[(kind, who)]
        self._recompile()
        if self.on_change is not None:
            self.on_change(f"{kind}\0{who}", None)

    def rules_for_all(self) -> tuple[AclRule, ...]:
        return self._rules.get(("all", ""), ())

    def set_rules_for_all(self, rules: Sequence[AclRule]) -> None:
        """Replace the rules for all clients ([] deletes them)."""
        self._store([(("all", ""), tuple(rules))])

    def _store(self, items: Iterable[tuple[tuple[str, str], tuple[AclRule, ...]]], *, share: bool = True) -> None:
        items = list(items)
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO acl_rules (kind, who, rules) VALUES (?, ?, ?) "
                "ON CONFLICT (kind, who) DO UPDATE SET rules = excluded.rules",
                [(kind, who, json.dumps([asdict(rule) for rule in rules])) for (kind, who), rules in items],
            )
        self._rules.update(items)
        self._recompile()
        if share and self.on_change is not None:
            for (kind, who), rules in items:
                self.on_change(f"{kind}\0{who}", _record(kind, who, rules))

    def allows(self, clientid: str | None, username: str | None, check: Check, topic: str) -> bool:
        """Whether a client (not a superuser) may publish to, subscribe to, or receive `topic`.

        For `receive`, only subscribe rules that match the message's topic can deny; with
        none, the subscription (already allowed) decides.
        """
        if not self._any:
            return True if check == "receive" else self.no_match == "allow"
        key = (clientid, username, check, topic)
        decision = self._decisions.get(key)
        if decision is None:
            decision = self._decide(clientid, username, check, topic)
            if len(self._decisions) >= 100_000:
                self._decisions.clear()
            self._decisions[key] = decision
        return decision

    def _decide(self, clientid: str | None, username: str | None, check: Check, topic: str) -> bool:
        levels = topic.split("/")
        publish = check == "publish"
        lists = (self._compiled.get(("clientid", clientid), ()) if clientid is not None else (),
                 self._compiled.get(("username", username), ()) if username is not None else (),
                 self._for_all)
        for rules in lists:
            for rule in rules:
                if (rule.publish if publish else rule.subscribe) and rule.matches(topic, levels, clientid, username):
                    return rule.allow
        return True if check == "receive" else self.no_match == "allow"


def _record(kind: str, who: str, rules: Sequence[AclRule]) -> dict[str, Any]:
    return {"kind": kind, "who": who, "rules": [asdict(rule) for rule in rules]}
