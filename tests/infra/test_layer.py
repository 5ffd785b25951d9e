"""The layers hold every runtime dependency, transitive ones included, and numpy only where it is used.

``chalice package`` only warns when it finds no Linux wheel for a package and builds the layer without
it (numpy's manylinux_2_28 wheels did that to shapely); the function would then fail at import in
Lambda. The expected sets come from the installed metadata of requirements.txt and
requirements-geometry.txt, not from a list here.
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


def _runtime_distributions(requirements: str = "requirements.txt") -> set[str]:
    """A requirements file and everything it needs on Linux/Python 3.11, from installed metadata."""
    wanted: set[str] = set()
    todo = [Requirement(line.strip()) for line in (ROOT / requirements).read_text().splitlines()
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


def _distributions_in(layer: Path) -> set[str]:
    with zipfile.ZipFile(layer) as archive:
        return {_normalise(part.split("-")[0]) for name in archive.namelist()
                for part in name.split("/") if part.endswith(".dist-info")}


def test_the_layer_holds_every_runtime_dependency(packaged):
    (layer,) = packaged.outdir.glob("layer-*.zip")
    missing = _runtime_distributions() - _distributions_in(layer)
    assert not missing, f"not in the Lambda layer: {sorted(missing)}"


def test_numpy_and_shapely_are_only_in_the_geometry_checks_own_layer(packaged):
    (layer,) = packaged.outdir.glob("layer-*.zip")
    assert not {"numpy", "shapely"} & _distributions_in(layer)
    geometry = packaged.outdir / "geometry-layer.zip"
    missing = _runtime_distributions("requirements-geometry.txt") - _distributions_in(geometry)
    assert {"numpy", "shapely"} <= _runtime_distributions("requirements-geometry.txt") and not missing
    with_geometry = [name for name, resource in packaged.resources.items()
                     if {"Ref": "GeometryLayer"} in resource.get("Properties", {}).get("Layers", [])]
    assert with_geometry == ["CheckGeometries"]
    assert packaged.resources["CheckGeometries"]["Properties"]["Layers"] == [
        {"Ref": "ManagedLayer"}, {"Ref": "GeometryLayer"}]
    assert packaged.resources["GeometryLayer"]["Properties"]["ContentUri"] == "./geometry-layer.zip"


def test_the_layer_keeps_the_sdk_models_of_exactly_the_services_the_code_calls(packaged):
    from devstack.package import SDK_SERVICES

    (layer,) = packaged.outdir.glob("layer-*.zip")
    with zipfile.ZipFile(layer) as archive:
        models = {name.split("/botocore/data/")[1].split("/")[0] for name in archive.namelist()
                  if "/botocore/data/" in name and name.split("/botocore/data/")[1].count("/") >= 1}
        assert any(name.endswith("/botocore/data/endpoints.json") for name in archive.namelist())
    assert models == set(SDK_SERVICES)


def test_the_api_may_invoke_the_geometry_check_and_is_told_its_name(packaged):
    api = packaged.resources["APIHandler"]["Properties"]
    assert api["Environment"]["Variables"]["GEOMETRY_CHECK_FUNCTION"] == {"Ref": "CheckGeometries"}
    statements = [s for policy in packaged.resources["ApiHandlerRole"]["Properties"]["Policies"]
                  for s in policy["PolicyDocument"]["Statement"] if "lambda:InvokeFunction" in s["Action"]]
    assert [s["Resource"] for s in statements] == [{"Fn::GetAtt": ["CheckGeometries", "Arn"]}]


def test_every_module_ships_compiled_so_a_read_only_cold_start_compiles_nothing(packaged):
    import importlib.util

    for archive_path in [packaged.outdir / "deployment.zip", *packaged.outdir.glob("layer-*.zip")]:
        with zipfile.ZipFile(archive_path) as archive:
            names = set(archive.namelist())
            sources = [n for n in names if n.endswith(".py") and "__pycache__" not in n]
            uncompiled = [n for n in sources if importlib.util.cache_from_source(n) not in names]
            # a file Python 3.11 cannot compile (test data, py2 leftovers) is never imported
            assert len(uncompiled) <= len(sources) // 100, (archive_path.name, uncompiled[:10])
            compiled = archive.read(importlib.util.cache_from_source(sources[0]))
            assert compiled[:4] == importlib.util.MAGIC_NUMBER  # CPython 3.11, Lambda's runtime
            assert int.from_bytes(compiled[4:8], "little") == 0b01  # hash-based, unchecked: file times never matter
