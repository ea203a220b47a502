"""The cost of authentication: HTTP Basic with an API key, and MQTT CONNECT with users and ACL rules.

Against one `mqttgate serve` process, each pair measured in the same run:

1. HTTP: requests/s of `GET /api_key/{name}` with a viewer key's HTTP Basic credentials
   (secret verified once, then cached; the key's row and role checked on every request)
   against the public, unauthenticated `GET /status`: two trivial handlers with answers of
   similar size. Rounds alternate; medians are reported. A third figure: requests/s when
   every request carries a wrong secret (each one costs an argon2 verification).
2. MQTT: CONNECTs/s (CONNECT, CONNACK, DISCONNECT over a fresh TCP connection) of anonymous
   clients against clients with a username and password, once 1,000 users and 1,000 ACL
   rules exist: the first CONNECT of each user (argon2 verification in a worker thread) and
   a second round (the verified password cached).

    python bench/auth.py [--seconds 5] [--rounds 3] [--concurrency 8] [--users 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import statistics
import time

import httpx
from _load import Mqttgate, requests_per_second

USERS = "/api/v5/authentication/password_based:built_in_database/users"
RULES = "/api/v5/authorization/sources/built_in_database/rules"


def _string(text: str) -> bytes:
    data = text.encode()
    return len(data).to_bytes(2, "big") + data


def _remaining_length(length: int) -> bytes:
    out = bytearray()
    while True:
        length, digit = divmod(length, 128)
        out.append(digit | (0x80 if length else 0))
        if not length:
            return bytes(out)


async def connect_once(port: int, clientid: str, username: str | None = None, password: str | None = None) -> None:
    """One MQTT 3.1.1 CONNECT (clean session), its CONNACK, then DISCONNECT."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        flags = 0x02 | (0x80 if username else 0) | (0x40 if password else 0)
        variable = b"\x00\x04MQTT\x04" + bytes([flags]) + b"\x00\x00"
        payload = _string(clientid)
        for field in (username, password):
            payload += _string(field) if field else b""
        writer.write(b"\x10" + _remaining_length(len(variable) + len(payload)) + variable + payload)
        connack = await reader.readexactly(4)
        if connack[3] != 0:
            raise RuntimeError(f"CONNACK refused {clientid}: {connack!r}")
        writer.write(b"\xe0\x00")
        await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()


def connects_per_second(port: int, identities: list[tuple[str, str | None, str | None]], concurrency: int) -> float:
    """CONNECTs/s for these (clientid, username, password), `concurrency` at a time."""

    async def run() -> None:
        gate = asyncio.Semaphore(concurrency)

        async def one(identity: tuple[str, str | None, str | None]) -> None:
            async with gate:
                await connect_once(port, *identity)

        await asyncio.gather(*(one(identity) for identity in identities))

    start = time.monotonic()
    asyncio.run(run())
    return len(identities) / (time.monotonic() - start)


async def _post_all(base: str, headers: dict[str, str], path: str, bodies: list, concurrency: int) -> None:
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as http:
        gate = asyncio.Semaphore(concurrency)

        async def post(body: object) -> None:
            async with gate:
                response = await http.post(path, json=body)
                response.raise_for_status()

        await asyncio.gather(*(post(body) for body in bodies))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--users", type=int, default=1000)
    args = parser.parse_args()

    gate = Mqttgate()
    base = f"http://127.0.0.1:{gate.http_port}"
    admin = {"Authorization": gate.auth_header}
    try:
        viewer = httpx.post(f"{base}/api/v5/api_key", headers=admin, json={"name": "bench-viewer", "role": "viewer"})
        viewer.raise_for_status()
        key = viewer.json()
        authed = {"Authorization": _basic(key["api_key"], key["api_secret"])}
        wrong = {"Authorization": _basic(key["api_key"], "wrong")}
        private_path, public_path = "/api/v5/api_key/bench-viewer", "/api/v5/status"
        sizes = (len(httpx.get(base + private_path, headers=authed).content),
                 len(httpx.get(base + public_path).content))
        private, public = [], []
        for _ in range(args.rounds):
            private.append(requests_per_second(gate.http_port, private_path, authed, args.seconds, args.concurrency))
            public.append(requests_per_second(gate.http_port, public_path, {}, args.seconds, args.concurrency))
        refused = _refused_per_second(base + private_path, wrong, min(args.seconds, 3))

        clients = [(f"anon-{n:05d}", None, None) for n in range(args.users)]
        anonymous = [connects_per_second(gate.mqtt_port, clients, args.concurrency)]
        users = [{"user_id": f"user-{n:05d}", "password": f"pw-{n:05d}-secret"} for n in range(args.users)]
        start = time.monotonic()
        asyncio.run(_post_all(base, admin, USERS, users, 4))
        setup = time.monotonic() - start
        rules = [{"username": u["user_id"], "rules": [{"topic": f"devices/{u['user_id']}/#", "permission": "allow",
                                                       "action": "all"}]} for u in users]
        for chunk in range(0, len(rules), 1000):
            httpx.post(base + RULES + "/users", headers=admin, json=rules[chunk:chunk + 1000],
                       timeout=120).raise_for_status()
        httpx.post(base + RULES + "/all", headers=admin, json={"rules": [
            {"topic": "#", "permission": "deny", "action": "all"}]}).raise_for_status()
        identities = [(f"dev-{n:05d}", u["user_id"], u["password"]) for n, u in enumerate(users)]
        cold = connects_per_second(gate.mqtt_port, identities, args.concurrency)
        warm = []
        for _ in range(args.rounds):
            warm.append(connects_per_second(gate.mqtt_port, identities, args.concurrency))
            anonymous.append(connects_per_second(gate.mqtt_port, clients, args.concurrency))
    finally:
        gate.stop()

    private_rps, public_rps = statistics.median(private), statistics.median(public)
    print(f"HTTP: {args.concurrency} keep-alive connections, median of {args.rounds} x {args.seconds:g}s")
    print(f"  ratio authenticated/unauthenticated: {private_rps / public_rps:.2f}  "
          f"(GET /api_key/{{name}} with a viewer key {private_rps:.0f} req/s, {sizes[0]} bytes; "
          f"GET /status without credentials {public_rps:.0f} req/s, {sizes[1]} bytes)")
    print(f"  a wrong secret on every request: {refused:.0f} req/s answered 401 (an argon2 check each)")
    anonymous_cps, warm_cps = statistics.median(anonymous), statistics.median(warm)
    print(f"MQTT: CONNECT+CONNACK+DISCONNECT, fresh TCP connection each, {args.concurrency} at a time; "
          f"{args.users} users and {len(rules) + 1} ACL rules loaded (creating the users took {setup:.0f}s)")
    print(f"  ratio user with password (cached)/anonymous: {warm_cps / anonymous_cps:.2f}  "
          f"(users {warm_cps:.0f} CONNECT/s, median of {args.rounds} rounds of {args.users}; "
          f"anonymous {anonymous_cps:.0f} CONNECT/s, median of {len(anonymous)})")
    print(f"  ratio first CONNECT of each user (argon2)/anonymous: {cold / anonymous_cps:.3f}  "
          f"(users {cold:.1f} CONNECT/s, one round of {args.users})")


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _refused_per_second(url: str, headers: dict[str, str], seconds: float) -> float:
    async def run() -> int:
        done = 0
        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient(headers=headers, timeout=60) as http:
            async def worker() -> None:
                nonlocal done
                while time.monotonic() < deadline:
                    if (await http.get(url)).status_code != 401:
                        raise RuntimeError("a wrong secret was accepted")
                    done += 1

            await asyncio.gather(*(worker() for _ in range(4)))
        return done

    start = time.monotonic()
    count = asyncio.run(run())
    return count / (time.monotonic() - start)


if __name__ == "__main__":
    main()
