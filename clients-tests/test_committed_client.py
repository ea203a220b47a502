"""The client committed in mqttgate/client/ (the CLI's transport) is what the generator makes of the spec."""

from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent)) or "openapi-python-client"
REGENERATE = "tox -e generate-client"


def files_of(package: Path) -> dict[str, bytes]:
    return {str(p.relative_to(package)): p.read_bytes() for p in sorted(package.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.mark.timeout(600)
def test_the_committed_client_is_generated_from_the_spec(tmp_path):
    out = tmp_path / "client"
    env_path = f"{Path(sys.executable).parent}:/usr/bin:/bin"  # its ruff post-hooks run from PATH
    result = subprocess.run([GENERATOR, "generate", "--path", str(ROOT / "spec" / "openapi.yaml"),
                             "--config", str(ROOT / "openapi-python-client.yaml"), "--meta", "none",
                             "--output-path", str(out)],
                            capture_output=True, text=True, timeout=300, env={"PATH": env_path})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower(), result.stdout + result.stderr
    fresh, committed = files_of(out), files_of(ROOT / "mqttgate" / "client")
    missing, extra = sorted(fresh.keys() - committed.keys()), sorted(committed.keys() - fresh.keys())
    changed = sorted(name for name in fresh.keys() & committed.keys() if fresh[name] != committed[name])
    diff = "".join(difflib.unified_diff(committed[changed[0]].decode().splitlines(keepends=True),
                                        fresh[changed[0]].decode().splitlines(keepends=True),
                                        f"mqttgate/client/{changed[0]}", "generated")) if changed else ""
    assert (missing, extra, changed) == ([], [], []), (
        f"mqttgate/client/ is out of date with spec/openapi.yaml: run `{REGENERATE}` and commit the result\n"
        f"missing: {missing}\nnot generated any more: {extra}\nchanged: {changed}\n{diff[:4000]}")
