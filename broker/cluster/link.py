"""What the broker asks of the cluster: the hooks in broker/amqtt, typed, with no NATS import."""

from __future__ import annotations

from typing import Any, Protocol


class ClusterLink(Protocol):
    """The cluster as the publish path and the sessions see it (`ClusterNode` implements it)."""

    async def forward(self, topic: str, data: bytes | bytearray, qos: int, msgid: str | None = None) -> None:
        """A message was routed on this node: send it to the nodes that want it (with its msgid)."""

    async def interest_added(self, topic_filter: str) -> None:
        """The first subscription to `topic_filter` on this node: hear it from the others."""

    def interest_removed(self, topic_filter: str) -> None:
        """The last subscription to `topic_filter` on this node is gone."""

    async def claim(self, clientid: str) -> None:
        """A client connects here: any other node closes its connection first."""

    async def hold(self, clientid: str) -> tuple[str, dict[str, Any]] | None:
        """A persistent session connects here: the node holding its session closes its connection
        and keeps queueing for it; (that node, {"subscriptions": {filter: qos}, "created_at": ISO 8601}),
        or None."""

    async def hand_off(self, node: str, clientid: str) -> dict[str, Any] | None:
        """`node` hands the session over (its state, as `handoff.to_plain` makes it) and drops it.

        Raises:
            Exception: the node did not answer in time, or failed.
        """
