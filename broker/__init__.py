"""The broker port (adapter.py), its amqtt implementation and the SQLite store."""
