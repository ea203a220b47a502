"""GET /prometheus/stats: stats, metrics, REST API and process metrics in the Prometheus text format."""

from __future__ import annotations

import functools
import importlib.metadata
import platform
from collections.abc import Iterator

from connexion import request
from connexion.lifecycle import ConnexionResponse
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from mqttgate import __version__
from mqttgate.broker.metrics import GAUGES, METRICS
from mqttgate.handlers._shape import broker, node


async def get_prometheus_stats():
    """The broker's gauges and counters, then this app's registry (REST API per operation, process)."""
    families = _BrokerFamilies(broker().stats(), broker().metrics(), node())
    body = generate_latest(families) + generate_latest(request.state.api_metrics)
    return ConnexionResponse(status_code=200, body=body, content_type=CONTENT_TYPE_PLAIN_0_0_4)


class _BrokerFamilies:
    """The broker's values as metric families, EMQX's names with dots made underscores, each labelled with
    the node. A gauge's value now is `mqttgate_<gauge>` (a `_count` suffix is reserved for histograms and
    summaries, and promtool flags it), its highest since start `mqttgate_<gauge>_max`."""

    def __init__(self, stats: dict[str, int], metrics: dict[str, int], node: str) -> None:
        self.stats, self.metrics, self.node = stats, metrics, node

    def collect(self) -> Iterator[Metric]:
        build = GaugeMetricFamily("mqttgate_build_info", "mqttgate's version, and the Python and amqtt it runs on",
                                  labels=["node", "version", "python", "amqtt"])
        build.add_metric([self.node, __version__, platform.python_version(), _amqtt_version()], 1)
        yield build
        for gauge, description in GAUGES.items():
            for suffix, what in (("count", "now"), ("max", "highest since start")):
                family = GaugeMetricFamily(_prometheus_name(gauge if suffix == "count" else f"{gauge}.max"),
                                           f"{description}: {what}", labels=["node"])
                family.add_metric([self.node], self.stats[f"{gauge}.{suffix}"])
                yield family
        for name, description in METRICS.items():
            family = CounterMetricFamily(_prometheus_name(name), description, labels=["node"])
            family.add_metric([self.node], self.metrics[name])
            yield family


@functools.cache
def _amqtt_version() -> str:
    try:
        return importlib.metadata.version("amqtt")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _prometheus_name(name: str) -> str:
    return "mqttgate_" + name.replace(".", "_")
