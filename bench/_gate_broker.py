"""mqttgate's broker adapter alone (no REST API), counters on or off, for bench/counters.py.

    python bench/_gate_broker.py MQTT_PORT on|off

Prints `ready` once listening; SIGTERM stops it.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import tempfile
from pathlib import Path

from mqttgate.broker.amqtt import AmqttBrokerAdapter
from mqttgate.broker.retained import RetainedStore
from mqttgate.broker.store import Store
from mqttgate.config import MqttListener


async def main(port: int, metrics: bool) -> None:
    retained = RetainedStore(Store(Path(tempfile.mkdtemp(prefix="gate-broker-")) / "mqttgate.db"))
    adapter = AmqttBrokerAdapter({"default": MqttListener(bind=f"127.0.0.1:{port}")}, retained=retained,
                                 metrics=metrics)
    await adapter.start()
    print("ready", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await adapter.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2] == "on"))
