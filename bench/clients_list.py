"""GET /clients?limit=100 with 1,000 connected MQTT clients, against a bare Starlette route.

The baseline serves the very JSON mqttgate answered, from a Starlette route under the same
uvicorn, so the ratio is what mqttgate's routing, auth, validation, handler and adapter add.
Both servers run in their own process; the load comes from this one over keep-alive
connections. Rounds alternate between the two and the median is reported.

    python bench/clients_list.py [--clients 1000] [--seconds 5] [--rounds 3] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading

import httpx
from _load import Mqttgate, StaticJson, connect_mqtt_clients, requests_per_second

PATH = "/api/v5/clients?limit=100"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    gate = Mqttgate()
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    try:
        clients = asyncio.run_coroutine_threadsafe(connect_mqtt_clients(gate.mqtt_port, args.clients), loop).result(120)
        headers = {"Authorization": gate.auth_header}
        body = httpx.get(f"http://127.0.0.1:{gate.http_port}{PATH}", headers=headers).content
        listed = httpx.get(f"http://127.0.0.1:{gate.http_port}/api/v5/clients?limit=1",
                           headers=headers).json()["meta"]["count"]
        baseline = StaticJson("/api/v5/clients", body)
        try:
            ours, theirs = [], []
            for _ in range(args.rounds):
                ours.append(requests_per_second(gate.http_port, PATH, headers, args.seconds, args.concurrency))
                theirs.append(requests_per_second(baseline.http_port, PATH, {}, args.seconds, args.concurrency))
        finally:
            baseline.stop()
    finally:
        gate.stop()
    assert len(clients) == listed, "the MQTT clients must stay connected while measuring"
    mqttgate_rps, baseline_rps = statistics.median(ours), statistics.median(theirs)
    print(f"GET {PATH} with {listed} connected MQTT clients, {len(body)} bytes per answer, "
          f"{args.concurrency} keep-alive connections, median of {args.rounds} x {args.seconds:g}s")
    print(f"ratio mqttgate/baseline: {mqttgate_rps / baseline_rps:.2f}  "
          f"(mqttgate {mqttgate_rps:.0f} req/s, bare Starlette route {baseline_rps:.0f} req/s)")


if __name__ == "__main__":
    main()
