"""What `pip install .` puts in site-packages: the mqttgate package alone, with its metadata."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def installed_top_levels_and_metadata(tmp_path: Path) -> tuple[set[str], str]:
    """The top-level names the installation adds to site-packages, and its METADATA.

    tox installs the wheel, whose RECORD says; an editable install (a developer's, or the
    checkout's egg-info) says nothing of the wheel, so the wheel is built here instead.
    """
    for dist in metadata.distributions(name="mqttgate"):  # the checkout's egg-info may come first
        direct = json.loads(dist.read_text("direct_url.json") or "{}")
        if dist.read_text("RECORD") and not direct.get("dir_info", {}).get("editable"):
            files = [str(f) for f in dist.files or [] if not str(f).startswith("..")]  # scripts live in bin/
            return {f.split("/", 1)[0] for f in files}, dist.read_text("METADATA") or ""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = tmp_path.glob("mqttgate-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    return {n.split("/", 1)[0] for n in names}, meta


@pytest.mark.timeout(600)
def test_only_mqttgate_lands_in_site_packages_with_its_license_and_classifiers(tmp_path):
    tops, text = installed_top_levels_and_metadata(tmp_path)
    assert {t for t in tops if not t.endswith(".dist-info")} == {"mqttgate"}
    assert len([t for t in tops if t.endswith(".dist-info")]) == 1
    meta = HeaderParser().parsestr(text)
    assert meta["License-Expression"] == "MIT" and meta["License-File"] == "LICENSE"
    classifiers = meta.get_all("Classifier")
    for prefix in ("Development Status ::", "Operating System ::", "Framework ::", "Topic ::"):
        assert any(c.startswith(prefix) for c in classifiers), prefix
    assert not any(c.startswith("License ::") for c in classifiers)  # superseded by the expression
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_every_package_of_the_checkout_is_listed_in_setup_cfg():
    """setup.cfg names its packages one by one (the folders are mapped under mqttgate): a folder it misses,
    such as the one a new tag of the spec adds to the generated mqttgate/client/api/, would not be installed."""
    import configparser

    setup = configparser.ConfigParser(interpolation=None)
    setup.read(ROOT / "setup.cfg")
    listed = {line.strip() for line in setup["options"]["packages"].splitlines()
              if line.strip() and not line.strip().startswith("#")}
    folders = dict(line.split(" = ") for line in setup["options"]["package_dir"].strip().splitlines())
    found = {".".join([name, *init.parent.relative_to(ROOT / folder).parts])
             for name, folder in folders.items() for init in (ROOT / folder).rglob("__init__.py")}
    assert "mqttgate.client.api.clients" in found
    assert found - listed == set(), "add these to setup.cfg's [options] packages"
    assert listed - found == set(), "setup.cfg lists packages that do not exist"
