"""tox's inline plugin: find Python interpreters that pyenv installed but did not put on PATH.

The shutdown envs need Python 3.12 and 3.13. Installed by pyenv, they are reached only
through its shims, which answer for a version only when PYENV_VERSION (or a .python-version)
selects it. tox finds interpreters on PATH, so the bin folders of pyenv's installs are added at
its end: an interpreter already on PATH still wins, and a missing one still fails the run
(skip_missing_interpreters = false).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def _pyenv_bins() -> list[str]:
    root = os.environ.get("PYENV_ROOT")
    if not root and shutil.which("pyenv"):
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False).stdout.strip()
    versions = Path(root or Path.home() / ".pyenv") / "versions"
    return [str(p / "bin") for p in sorted(versions.glob("3.*")) if (p / "bin").is_dir()]


_path = os.environ.get("PATH", "").split(os.pathsep)
os.environ["PATH"] = os.pathsep.join(_path + [b for b in _pyenv_bins() if b not in _path])
