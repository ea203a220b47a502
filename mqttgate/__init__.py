"""mqttgate: an MQTT broker with an EMQX-style management REST API."""

__version__ = "0.1.0"
