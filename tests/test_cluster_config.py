"""The cluster section: off by default, checked, and a single node that never loads NATS."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mqttgate.config import ConfigError, load_config


def test_no_cluster_by_default():
    assert load_config(None, {}).cluster.enabled is False


def test_servers_and_credentials_from_the_environment():
    config = load_config(None, {"MQTTGATE_CLUSTER__SERVERS__0": "nats://127.0.0.1:4222",
                                "MQTTGATE_CLUSTER__SERVERS__1": "tls://nats.example:4222",
                                "MQTTGATE_CLUSTER__TOKEN": "s3cret", "MQTTGATE_CLUSTER__NODE": "n1@host.example"})
    assert config.cluster.enabled
    assert config.cluster.servers == ["nats://127.0.0.1:4222", "tls://nats.example:4222"]
    assert (config.cluster.token, config.cluster.node) == ("s3cret", "n1@host.example")


@pytest.mark.parametrize(("env", "message"), [
    ({"MQTTGATE_CLUSTER__SERVERS__0": "127.0.0.1:4222"}, "cluster.servers[0]"),
    ({"MQTTGATE_CLUSTER__SERVERS__0": "nats://"}, "cluster.servers[0]"),
    ({"MQTTGATE_CLUSTER__TOKEN": "t", "MQTTGATE_CLUSTER__USER": "u", "MQTTGATE_CLUSTER__PASSWORD": "p"}, "not both"),
    ({"MQTTGATE_CLUSTER__USER": "u"}, "go together"),
    ({"MQTTGATE_CLUSTER__NODE": "a node"}, "cluster.node"),
    ({"MQTTGATE_CLUSTER__REPLICAS": "0"}, "cluster.replicas"),
    ({"MQTTGATE_CLUSTER__REQUEST_TIMEOUT": "0"}, "request_timeout"),
    ({"MQTTGATE_CLUSTER__SERVERS": "nats://a:1"}, "cluster.servers"),
])
def test_a_bad_cluster_section_is_refused_naming_the_key(env, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_config(None, env)


def test_a_single_node_never_imports_nats():
    code = ("import sys\n"
            "from mqttgate.app import create_app\n"
            "from mqttgate.config import load_config\n"
            "import mqttgate.runtime, mqttgate.broker.amqtt\n"
            "create_app(load_config(None, {}))\n"
            "print(sorted(m for m in sys.modules if m == 'nats' or m.startswith('nats.')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_a_node_is_gone_after_three_of_its_own_heartbeats_whatever_the_observers():
    import time

    from mqttgate.broker.cluster.node import ClusterNode

    observer = ClusterNode("slow-observer", ["nats://127.0.0.1:4222"], heartbeat_interval=10)
    now = time.time()
    observer._nodes = {"fast-dead": {"at": now - 3, "interval": 0.5}, "slow-alive": {"at": now - 20, "interval": 10},
                       "old-style": {"at": now - 20}}  # a beat without its interval: the observer's own
    assert observer.live_nodes() == ["old-style", "slow-alive", "slow-observer"]
