"""Messages/s into one MQTT subscriber: POST /publish, POST /publish/bulk, and a paho-mqtt publisher.

The baseline is a paho-mqtt client publishing straight to the broker. Over HTTP, messages go
one per request (POST /publish) or 100 per request (POST /publish/bulk), over keep-alive
connections. Every message is received by one subscriber, mosquitto_sub in its own process,
and a figure is messages / seconds from the first publish until the subscriber has them all.
mqttgate runs in its own process; the publishers run in this one. Rounds alternate between
the three ways and the median is reported.

    python bench/publish.py [--messages 20000] [--single 4000] [--rounds 3] [--concurrency 8] [--qos 0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import time
from collections.abc import Callable

import httpx
import paho.mqtt.client as mqtt
from _load import Mqttgate, read_response

TOPIC = "bench/publish"
SUBSCRIBER = "bench-subscriber"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000, help="per round, for paho and bulk")
    parser.add_argument("--single", type=int, default=4000, help="per round, for POST /publish")
    parser.add_argument("--bulk-size", type=int, default=100)
    parser.add_argument("--payload-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8, help="keep-alive HTTP connections")
    parser.add_argument("--qos", type=int, choices=(0, 1, 2), default=0)
    args = parser.parse_args()

    payload = "x" * args.payload_size
    message = {"topic": TOPIC, "payload": payload, "qos": args.qos}
    gate = Mqttgate()
    try:
        ways: dict[str, tuple[int, Callable[[int], None]]] = {
            "paho-mqtt publisher": (args.messages, lambda n: publish_paho(gate.mqtt_port, n, payload, args.qos)),
            "POST /publish": (args.single, lambda n: post(gate, "/api/v5/publish", [message] * n, args.concurrency)),
            f"POST /publish/bulk ({args.bulk_size} per request)": (args.messages, lambda n: post(
                gate, "/api/v5/publish/bulk", [[message] * args.bulk_size] * (n // args.bulk_size),
                args.concurrency)),
        }
        rates: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(args.rounds):
            for name, (count, publish) in ways.items():
                rates[name].append(received_per_second(gate, count, args.qos, publish))
    finally:
        gate.stop()

    median = {name: statistics.median(values) for name, values in rates.items()}
    baseline = median.pop("paho-mqtt publisher")
    print(f"{args.payload_size}-byte messages at QoS {args.qos} into one subscriber (mosquitto_sub), "
          f"{args.concurrency} keep-alive HTTP connections, median of {args.rounds} rounds")
    print(f"baseline: paho-mqtt publisher straight to the broker {baseline:.0f} msg/s")
    for name, rate in median.items():
        print(f"ratio {name} / paho-mqtt publisher: {rate / baseline:.2f}  ({rate:.0f} msg/s)")


def received_per_second(gate: Mqttgate, count: int, qos: int, publish: Callable[[int], None]) -> float:
    """Messages/s from the first publish until the subscriber has received `count`."""
    subscriber = subprocess.Popen(
        ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(gate.mqtt_port), "-i", SUBSCRIBER, "-t", TOPIC,
         "-q", str(qos), "-C", str(count), "-W", "300"],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_subscribed(gate)
        start = time.monotonic()
        publish(count)
        if subscriber.wait(300) != 0:
            raise RuntimeError(f"the subscriber did not receive {count} messages")
        return count / (time.monotonic() - start)
    finally:
        if subscriber.poll() is None:
            subscriber.kill()


def wait_subscribed(gate: Mqttgate) -> None:
    url = f"http://127.0.0.1:{gate.http_port}/api/v5/clients/{SUBSCRIBER}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if httpx.get(url, headers={"Authorization": gate.auth_header}).json().get("subscriptions_cnt") == 1:
            return
        time.sleep(0.05)
    raise RuntimeError("mosquitto_sub did not subscribe")


def publish_paho(port: int, count: int, payload: str, qos: int) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-publisher")
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        for _ in range(count):
            info = client.publish(TOPIC, payload, qos=qos)
        info.wait_for_publish(300)
    finally:
        client.disconnect()
        client.loop_stop()


def post(gate: Mqttgate, path: str, bodies: list, concurrency: int) -> None:
    """POST each body, spread over `concurrency` keep-alive connections; each must answer 200."""
    requests = []
    for body in bodies:
        data = json.dumps(body).encode()
        requests.append(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {gate.auth_header}\r\n"
                        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data)

    async def connection(share: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", gate.http_port)
        try:
            for request in share:
                writer.write(request)
                status, body = await read_response(reader)
                if b" 200 " not in status:
                    raise RuntimeError(f"unexpected answer {status!r} {body[:200]!r}")
        finally:
            writer.close()

    async def run() -> None:
        await asyncio.gather(*(connection(requests[n::concurrency]) for n in range(concurrency)))

    asyncio.run(run())


if __name__ == "__main__":
    main()
