"""mqttgate's broker adapter alone (no REST API), for bench/counters.py and bench/durability.py.

    python bench/_gate_broker.py MQTT_PORT on|off memory|sync|async [DATA_DIR]

`on|off`: the counters; then `mqtt.durability` (`sync` and `async` keep a session store in
DATA_DIR, a temporary one if not given). Prints `ready` once listening; SIGTERM stops it.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import tempfile
from pathlib import Path

from mqttgate.broker.amqtt import AmqttBrokerAdapter
from mqttgate.broker.retained import RetainedStore
from mqttgate.broker.sessions_store import SqliteSessionStore
from mqttgate.broker.store import Store
from mqttgate.config import MqttListener


async def main(port: int, metrics: bool, durability: str, data: Path) -> None:
    store = Store(data / "mqttgate.db")
    retained = RetainedStore(store)
    sessions = SqliteSessionStore(store) if durability != "memory" else None
    adapter = AmqttBrokerAdapter({"default": MqttListener(bind=f"127.0.0.1:{port}")}, retained=retained,
                                 metrics=metrics, sessions=sessions, durability=durability if sessions else "sync",
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
    data = Path(sys.argv[4]) if len(sys.argv) > 4 else Path(tempfile.mkdtemp(prefix="gate-broker-"))
    asyncio.run(main(int(sys.argv[1]), sys.argv[2] == "on", sys.argv[3], data))
