"""Several mqttgate nodes as one broker, on NATS: the only package that imports nats.

Imported only when a `cluster` is configured: a single node never loads NATS.
"""
