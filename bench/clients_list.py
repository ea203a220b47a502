"""Pages of clients, subscriptions and retained messages, against a bare Starlette route serving the same bytes.

For each size (1,000 and 10,000 connected MQTT clients by default), with one subscription per
client and as many retained messages: requests/s, p50 and p99 of `GET /clients?limit=100`,
`GET /subscriptions?limit=100` and `GET /mqtt/retainer/messages?limit=100` from mqttgate, and
of a bare Starlette route under uvicorn serving the very bytes mqttgate answered, so that the
ratio is what mqttgate's routing, auth, validation, handler and adapter add; and the floor under
them all, an operation that does nothing served as mqttgate serves its API. Both run in their
own process; the load comes from this one over keep-alive connections. Rounds alternate
between the two and medians are reported; last, how a page's cost at the largest size
compares with the smallest (1.00: flat).

    python bench/clients_list.py [--sizes 1000 10000] [--seconds 4] [--rounds 3] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading

import httpx
from _load import EmptyOperation, Mqttgate, StaticJson, load

PAGES = {"clients": "/api/v5/clients", "subscriptions": "/api/v5/subscriptions",
         "retained": "/api/v5/mqtt/retainer/messages"}
QUERY = "?limit=100"


async def connect_and_subscribe(port: int, count: int, prefix: str) -> list[asyncio.StreamWriter]:
    """`count` raw MQTT clients (clean session, keepalive 0), each subscribed to its own filter."""

    async def one(n: int) -> asyncio.StreamWriter:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        clientid = f"{prefix}-{n:05d}".encode()
        variable = b"\x00\x04MQTT\x04\x02\x00\x00"
        payload = len(clientid).to_bytes(2, "big") + clientid
        writer.write(bytes([0x10, len(variable) + len(payload)]) + variable + payload)
        if (await reader.readexactly(4))[3] != 0:
            raise RuntimeError("CONNACK refused")
        topic = f"bench/{n}/+".encode()
        body = b"\x00\x01" + len(topic).to_bytes(2, "big") + topic + b"\x01"
        writer.write(bytes([0x82, len(body)]) + body)
        await reader.readexactly(5)  # SUBACK
        return writer

    writers = []
    for start in range(0, count, 100):
        writers += await asyncio.gather(*(one(n) for n in range(start, min(start + 100, count))))
    return writers


def retain(gate: Mqttgate, count: int, start: int) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{gate.http_port}/api/v5",
                      headers={"Authorization": gate.auth_header}, timeout=60) as http:
        for first in range(start, start + count, 100):
            batch = [{"topic": f"retained/{n}", "payload": "x" * 32, "retain": True}
                     for n in range(first, min(first + 100, start + count))]
            if http.post("/publish/bulk", json=batch).status_code not in (200, 202):
                raise RuntimeError("could not retain messages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    gate = Mqttgate()
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    headers = {"Authorization": gate.auth_header}
    results: dict[tuple[int, str], tuple[dict, dict, int]] = {}
    clients: list[asyncio.StreamWriter] = []
    try:
        for size in sorted(args.sizes):
            more = size - len(clients)
            clients += asyncio.run_coroutine_threadsafe(
                connect_and_subscribe(gate.mqtt_port, more, f"bench{size}"), loop).result(600)
            retain(gate, more, size - more)
            listed = httpx.get(f"http://127.0.0.1:{gate.http_port}/api/v5/clients?limit=1",
                               headers=headers).json()["meta"]["count"]
            assert listed == size, "the MQTT clients must stay connected while measuring"
            for name, path in PAGES.items():
                body = httpx.get(f"http://127.0.0.1:{gate.http_port}{path}{QUERY}", headers=headers).content
                baseline = StaticJson(path, body)
                try:
                    ours, theirs = [], []
                    for _ in range(args.rounds):
                        ours.append(load(gate.http_port, path + QUERY, headers, args.seconds, args.concurrency))
                        theirs.append(load(baseline.http_port, path + QUERY, {}, args.seconds, args.concurrency))
                finally:
                    baseline.stop()
                results[size, name] = (_median(ours), _median(theirs), len(body))
        floor, floor_bare = _floor(args)
    finally:
        gate.stop()
    print(f"GET ...?limit=100, {args.concurrency} keep-alive connections, median of {args.rounds} x {args.seconds:g}s; "
          f"baseline: a bare Starlette route serving the same bytes, same run")
    for (size, name), (ours, theirs, length) in results.items():
        print(f"{size:>6} clients, {name:<13} ({length} bytes): ratio {ours['rps'] / theirs['rps']:.2f}  "
              f"(mqttgate {ours['rps']:.0f} req/s, p50 {ours['p50']:.1f} ms, p99 {ours['p99']:.1f} ms; "
              f"bare route {theirs['rps']:.0f} req/s, p50 {theirs['p50']:.1f} ms, p99 {theirs['p99']:.1f} ms)")
    print(f"the floor: an operation that does nothing, served as mqttgate serves its API (connexion and its fast "
          f"paths, no auth): ratio {floor['rps'] / floor_bare['rps']:.2f}  ({floor['rps']:.0f} req/s, "
          f"{1000 / floor['rps']:.2f} ms a request; bare route {floor_bare['rps']:.0f} req/s)")
    small, large = min(args.sizes), max(args.sizes)
    if small != large:
        for name in PAGES:
            # per-request cost relative to the bare route of the same run, large against small
            cost = {size: results[size, name][1]["rps"] / results[size, name][0]["rps"] for size in (small, large)}
            print(f"page cost at {large} / at {small} clients, {name}: {cost[large] / cost[small]:.2f} "
                  f"(each relative to its bare route)")


def _floor(args: argparse.Namespace) -> tuple[dict[str, float], dict[str, float]]:
    """What connexion alone costs a request: an empty operation, and a bare route serving its `{}`."""
    empty, bare = EmptyOperation(), StaticJson(EmptyOperation.path, b"{}")
    try:
        ours, theirs = [], []
        for _ in range(args.rounds):
            ours.append(load(empty.http_port, EmptyOperation.path + QUERY, {}, args.seconds, args.concurrency))
            theirs.append(load(bare.http_port, EmptyOperation.path + QUERY, {}, args.seconds, args.concurrency))
        return _median(ours), _median(theirs)
    finally:
        empty.stop()
        bare.stop()


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


if __name__ == "__main__":
    main()
