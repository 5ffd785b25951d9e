"""What a cold request loads: no numpy or shapely on any request path, every SDK client in the layer."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from devstack.package import SDK_SERVICES

ROOT = Path(__file__).resolve().parents[2]

_EVERY_MODULE_BUT_THE_GEOMETRY_CHECK = """
import importlib, pkgutil, sys
import app, chalicelib
for m in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
    if m.name not in ("chalicelib.adapters.polygons", "chalicelib.adapters.images"):
        importlib.import_module(m.name)
from chalicelib.domain.routing import AreaIndex, AreaSpec
square = '{"type":"Polygon","coordinates":[[[123.5,-10.3],[123.7,-10.3],[123.7,-10.1],[123.5,-10.1],[123.5,-10.3]]]}'
index = AreaIndex([AreaSpec(code="kec", name="Kec", level="kecamatan", geometry=square)])
assert index.locate(-10.2, 123.6).code == "kec"
index.interior_point(index.specs[0])
loaded = sorted(name for name in ("numpy", "shapely") if name in sys.modules)
print("LOADED", loaded)
"""


def test_no_request_path_loads_numpy_or_shapely():
    done = subprocess.run([sys.executable, "-c", _EVERY_MODULE_BUT_THE_GEOMETRY_CHECK], cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, check=False)
    assert "LOADED []" in done.stdout, done.stdout + done.stderr[-2000:]


def test_every_aws_client_the_code_makes_has_its_model_in_the_layer():
    named = set()
    for path in (ROOT / "chalicelib").rglob("*.py"):
        named |= set(re.findall(r'client\(\s*"([a-z0-9-]+)"', path.read_text(encoding="utf-8")))
    assert named, "the scan found no client at all: it is looking in the wrong place"
    assert named <= SDK_SERVICES, f"add to devstack.package.SDK_SERVICES: {sorted(named - SDK_SERVICES)}"
