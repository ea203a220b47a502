"""The broker port across the cluster: the local adapter for what is here, requests to the nodes for the rest."""

from __future__ import annotations

import logging
from typing import Any

from mqttgate.broker.cluster.node import ClusterNode

log = logging.getLogger(__name__)


class ClusterBroker:
    """`BrokerAdapter` for a node of a cluster, over this node's `AmqttBrokerAdapter`.

    What it does not override is this node's own answer (the local adapter's).

    Args:
        local: this node's broker adapter, built with `cluster=node`.
        node: this node's membership of the cluster.
    """

    def __init__(self, local: Any, node: ClusterNode) -> None:
        self.local = local
        self.node = node

    def __getattr__(self, name: str) -> Any:
        return getattr(self.local, name)

    async def start(self) -> None:
        await self.node.start(self.local.deliver_remote, self.answer)
        try:
            await self.local.start()
        except BaseException:
            await self.node.stop()
            raise

    async def stop(self) -> None:
        try:
            await self.local.stop()
        finally:
            await self.node.stop()

    async def answer(self, op: str, args: dict[str, Any]) -> Any:
        """Answer another node's request `op` from this node's own state."""
        handler = getattr(self, f"_answer_{op}", None)
        if handler is None:
            raise ValueError(f"unknown cluster request {op!r}")
        return await handler(**args)

    async def _answer_release(self, *, clientid: str) -> bool:
        return await self.local.release_client(clientid)
