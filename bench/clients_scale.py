"""Listing and connecting at scale: mqttgate against amqtt without mqttgate's adapter.

For 1,000 and 10,000 connected clients: the latency of `GET /clients?limit=100` for the first
and the last page, and the connects per second while the clients connect. The baseline is
amqtt 0.12.1 as it comes, with a bare Starlette route paging its sessions (bench/_plain_amqtt.py),
measured in the same run. Latency is the median of sequential requests on one connection.

    python bench/clients_scale.py [--sizes 1000 10000] [--requests 50]
"""

from __future__ import annotations

import argparse
import asyncio
import threading
import time

from _load import Mqttgate, PlainAmqtt, connect_mqtt_clients, latency_ms


def measure(server, size: int, requests: int, loop: asyncio.AbstractEventLoop) -> dict[str, float]:
    start = time.perf_counter()
    clients = asyncio.run_coroutine_threadsafe(connect_mqtt_clients(server.mqtt_port, size), loop).result(600)
    connects = size / (time.perf_counter() - start)
    headers = {"Authorization": server.auth_header} if server.auth_header else {}
    last = (size + 99) // 100
    first_ms = latency_ms(server.http_port, "/api/v5/clients?limit=100&page=1", headers, requests)
    last_ms = latency_ms(server.http_port, f"/api/v5/clients?limit=100&page={last}", headers, requests)
    for writer in clients:
        writer.close()
    return {"connects/s": connects, "page 1 ms": first_ms, f"page {last} ms": last_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    for size in args.sizes:
        results = {}
        for name, make in (("mqttgate", Mqttgate), ("amqtt", PlainAmqtt)):
            server = make()
            try:
                results[name] = measure(server, size, args.requests, loop)
            finally:
                server.stop()
        print(f"{size} connected clients (mqttgate / plain amqtt, same run):")
        for figure, ours in results["mqttgate"].items():
            theirs = results["amqtt"][figure]
            print(f"  {figure:>14}: ratio {ours / theirs:5.2f}  (mqttgate {ours:8.1f}, amqtt {theirs:8.1f})")


if __name__ == "__main__":
    main()
