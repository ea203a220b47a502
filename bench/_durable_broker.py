"""mqttgate's broker adapter alone (no REST API) with `mqtt.durability` sync, async or memory, for bench/durability.py.

    python bench/_durable_broker.py MQTT_PORT sync|async|memory DATA_DIR

Prints `ready` once listening; SIGTERM stops it.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from mqttgate.broker.amqtt import AmqttBrokerAdapter
from mqttgate.broker.retained import RetainedStore
from mqttgate.broker.sessions_store import SqliteSessionStore
from mqttgate.broker.store import Store
from mqttgate.config import MqttListener


async def main(port: int, durability: str, data: Path) -> None:
    store = Store(data / "mqttgate.db")
    retained = RetainedStore(store)
    sessions = SqliteSessionStore(store) if durability != "memory" else None
    adapter = AmqttBrokerAdapter({"default": MqttListener(bind=f"127.0.0.1:{port}")}, retained=retained,
                                 sessions=sessions, durability=durability if sessions else "sync",
                                 max_mqueue_len=1_000_000)
    await adapter.start()
    print("ready", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await adapter.stop()
    if sessions is not None:
        sessions.close()
    retained.close()
    store.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])))
