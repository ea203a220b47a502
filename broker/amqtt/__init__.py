"""The broker port on amqtt 0.12.1: the only package that imports amqtt, split by concern.

protocol (CONNECT timeout, keepalive), sessions (take-over, resume, offline queue), access
(authentication, ACL), retained, routing (the publish path), gate (the broker they make up),
counting (metrics), adapter (`AmqttBrokerAdapter`, the port's implementation).
"""

from mqttgate.broker.amqtt.adapter import AmqttBrokerAdapter

__all__ = ["AmqttBrokerAdapter"]
