"""GET /prometheus/stats: stats, metrics, REST API and process metrics in the Prometheus text format."""

from __future__ import annotations

from collections.abc import Iterator

from connexion import request
from connexion.lifecycle import ConnexionResponse
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from mqttgate.broker.metrics import GAUGES, METRICS
from mqttgate.handlers._shape import broker


async def get_prometheus_stats():
    """The broker's gauges and counters, then this app's registry (REST API per operation, process)."""
    families = _BrokerFamilies(broker().stats(), broker().metrics())
    body = generate_latest(families) + generate_latest(request.state.api_metrics)
    return ConnexionResponse(status_code=200, body=body, content_type=CONTENT_TYPE_PLAIN_0_0_4)


class _BrokerFamilies:
    """The broker's values as metric families, EMQX's names with dots made underscores."""

    def __init__(self, stats: dict[str, int], metrics: dict[str, int]) -> None:
        self.stats, self.metrics = stats, metrics

    def collect(self) -> Iterator[Metric]:
        for gauge, description in GAUGES.items():
            for suffix, what in (("count", "now"), ("max", "highest since start")):
                name = f"{gauge}.{suffix}"
                yield GaugeMetricFamily(_prometheus_name(name), f"{description}: {what}", self.stats[name])
        for name, description in METRICS.items():
            yield CounterMetricFamily(_prometheus_name(name), description, self.metrics[name])


def _prometheus_name(name: str) -> str:
    return "mqttgate_" + name.replace(".", "_")
