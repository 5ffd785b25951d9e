"""The managed layer holds every runtime dependency, transitive ones included.

``chalice package`` only warns when it finds no Linux wheel for a package and builds the layer without
it (numpy's manylinux_2_28 wheels did that to shapely); the function would then fail at import in
Lambda. The expected set comes from the installed metadata of requirements.txt, not from a list here.
"""

from __future__ import annotations

import re
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _runtime_distributions() -> set[str]:
    """requirements.txt and everything they need on Linux/Python 3.11, from installed metadata."""
    wanted: set[str] = set()
    todo = [Requirement(line.strip()) for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    environment = {"sys_platform": "linux", "platform_system": "Linux", "python_version": "3.11", "extra": ""}
    while todo:
        requirement = todo.pop()
        name = _normalise(requirement.name)
        if name in wanted:
            continue
        wanted.add(name)
        for raw in metadata.requires(requirement.name) or []:
            child = Requirement(raw)
            if child.marker is None or child.marker.evaluate(environment):
                todo.append(child)
    return wanted


def test_the_layer_holds_every_runtime_dependency(packaged):
    (layer,) = packaged.outdir.glob("layer-*.zip")
    with zipfile.ZipFile(layer) as archive:
        present = {_normalise(part.split("-")[0]) for name in archive.namelist()
                   for part in name.split("/") if part.endswith(".dist-info")}
    missing = _runtime_distributions() - present
    assert not missing, f"not in the Lambda layer: {sorted(missing)}"
