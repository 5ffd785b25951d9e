"""Build the deployable artefacts: ``python -m devstack.package OUTDIR``.

Runs ``chalice package --stage prod --pkg-format cloudformation --merge-template infra/resources.json OUTDIR``
from the repository root. No AWS account is touched: the credentials are dummies and the region is
Jakarta. Chalice does need PyPI, to download the Linux wheels of ``requirements.txt`` for the layer
(cached under ``.chalice/deployments/`` afterwards).

State machine definitions live in their own ASL files (``infra/statemachines/``). The merge template
gets each one, unchanged, from the file its resource's ``Metadata.DefinitionFile`` names; its
``${...}`` placeholders are filled in by CloudFormation's ``DefinitionSubstitutions``.

Two changes to what chalice builds, both for the layer's size (issue 9):

- the managed layer keeps botocore's service models only for ``SDK_SERVICES``, the services the
  functions call (botocore ships ~400 of them: 16 MiB of the layer zipped); a test holds the list to
  every ``client("...")`` in the code;
- ``geometry-layer.zip`` (``requirements-geometry.txt``: shapely and numpy, built with pip for Lambda's
  platform) goes only to the ``check_geometries`` function, so the layer every function loads has no numpy;
- every zip carries its modules compiled (``__pycache__``, unchecked-hash ``.pyc`` for CPython 3.11):
  Lambda's code and layers are read-only, so without them every cold start compiles each module it
  imports from source (chalice ships none for the layer, and stale ones of the developer's for the code).

The output is ``sam.json`` (deploy it with ``aws cloudformation package`` + ``deploy``),
``deployment.zip`` (our code), the managed layer zip (the dependencies) and ``geometry-layer.zip``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MERGE_TEMPLATE = Path("infra") / "resources.json"
REGION = "ap-southeast-3"
STAGE = "prod"
# Chalice reports a dependency without a Linux wheel and carries on; a package missing it would fail in Lambda.
_MISSING_DEPENDENCY = "Could not install dependencies"
# The AWS services the functions call, whose botocore models the layer keeps (tests/infra/test_layer.py).
SDK_SERVICES = frozenset({"apigateway", "cognito-idp", "dynamodb", "lambda", "s3", "scheduler", "ses", "sns",
                          "sqs", "stepfunctions", "sts"})
SDK_SERVICES_KEY = ",".join(sorted(SDK_SERVICES)) + ";pyc-3.11"  # what the cached lean layer was made with
GEOMETRY_REQUIREMENTS = Path("requirements-geometry.txt")
GEOMETRY_LAYER = "geometry-layer.zip"
_SITE_PACKAGES = "python/lib/python3.11/site-packages"


@dataclass(frozen=True)
class Artefacts:
    outdir: Path
    template: Path
    deployment_zip: Path
    layer_zip: Path | None
    geometry_layer_zip: Path


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k not in ("MOTO_PORT",)}
    env.update({
        "AWS_ACCESS_KEY_ID": "packaging-only",
        "AWS_SECRET_ACCESS_KEY": "packaging-only",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    })
    return env


def merge_template() -> dict[str, Any]:
    """infra/resources.json with every state machine's definition read in from its ASL file."""
    from devstack.statemachines import placeholders

    template: dict[str, Any] = json.loads((ROOT / MERGE_TEMPLATE).read_text(encoding="utf-8"))
    for name, resource in template["Resources"].items():
        source = resource.get("Metadata", {}).get("DefinitionFile")
        if resource.get("Type") != "AWS::StepFunctions::StateMachine" or not source:
            continue
        text = (ROOT / source).read_text(encoding="utf-8")
        properties = resource["Properties"]
        missing = placeholders(text) - set(properties.get("DefinitionSubstitutions", {}))
        if missing:  # CloudFormation would deploy the placeholder text itself
            raise RuntimeError(f"{name}: {source} uses {sorted(missing)} without DefinitionSubstitutions")
        properties["Definition"] = json.loads(text)
    return template


@contextlib.contextmanager
def _one_packager() -> Iterator[None]:
    """One ``chalice package`` at a time on this checkout: two at once (parallel test workers on a fresh
    clone) both build the managed layer into ``.chalice/deployments/`` and corrupt the cached zip."""
    import fcntl

    lock_path = ROOT / ".chalice" / "deployments" / ".package.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def package(outdir: str | Path, *, quiet: bool = False) -> Artefacts:
    """Package the app into ``outdir``; raises RuntimeError if chalice fails or leaves a dependency out."""
    out = Path(outdir).resolve()
    with tempfile.TemporaryDirectory(prefix="aduan-merge-") as scratch:
        merge = Path(scratch) / MERGE_TEMPLATE.name
        merge.write_text(json.dumps(merge_template(), indent=2), encoding="utf-8")
        command = [sys.executable, "-c", "import sys; from chalice.cli import main; sys.exit(main())",
                   "package", "--stage", STAGE, "--pkg-format", "cloudformation",
                   "--merge-template", str(merge), str(out)]
        with _one_packager():
            result = subprocess.run(command, cwd=ROOT, env=_environment(), capture_output=True, text=True,
                                    check=False)
    output = result.stdout + result.stderr
    if not quiet and output.strip():
        print(output.rstrip())
    if result.returncode != 0:
        raise RuntimeError(f"chalice package failed with exit code {result.returncode}:\n{output}")
    if _MISSING_DEPENDENCY in output:
        raise RuntimeError(f"chalice could not bundle every dependency for Lambda:\n{output}")
    layers = sorted(p for p in out.glob("*.zip") if p.name not in ("deployment.zip", GEOMETRY_LAYER))
    with _one_packager():
        if layers:
            _cached_rewrite(layers[0], lambda path: (prune_sdk_models(path, SDK_SERVICES), precompile(path)))
        precompile(out / "deployment.zip")
        geometry = geometry_layer(out / GEOMETRY_LAYER)
    return Artefacts(outdir=out, template=out / "sam.json", deployment_zip=out / "deployment.zip",
                     layer_zip=layers[0] if layers else None, geometry_layer_zip=geometry)


def prune_sdk_models(layer: Path, keep: frozenset[str]) -> None:
    """Rewrite the layer zip without botocore's models of services the functions never call."""
    models = f"{_SITE_PACKAGES}/botocore/data/"
    pruned = layer.with_suffix(".pruned")
    with zipfile.ZipFile(layer) as source, zipfile.ZipFile(pruned, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename.startswith(models):
                service = info.filename[len(models):].split("/")[0]
                if "/" in info.filename[len(models):] and service not in keep:
                    continue
            target.writestr(info, source.read(info))
    pruned.replace(layer)


def _cached_rewrite(path: Path, rewrite: Any) -> None:
    """Apply ``rewrite`` to the zip at ``path``, reusing the result for an identical input (the layer is
    rebuilt by chalice only when the requirements change; compiling it takes a while)."""
    digest = hashlib.sha256(path.read_bytes() + SDK_SERVICES_KEY.encode()).hexdigest()[:16]
    cached = ROOT / ".chalice" / "deployments" / f"lean-{digest}.zip"
    if not cached.exists():
        partial = cached.with_suffix(".partial")
        shutil.copyfile(path, partial)
        rewrite(partial)
        partial.replace(cached)
    shutil.copyfile(cached, path)


def precompile(archive: Path) -> None:
    """Replace every ``__pycache__`` in the zip by CPython 3.11 bytecode of its own ``.py`` files.

    Unchecked-hash ``.pyc`` (PEP 552): valid whatever the files' times once unpacked, and never stale,
    since the zip is rebuilt whenever a source changes.
    """
    import importlib.util
    import py_compile
    import warnings

    if sys.version_info[:2] != (3, 11):
        raise RuntimeError("the Lambda runtime is python3.11: package with Python 3.11")
    rewritten = archive.with_suffix(".compiling")
    with tempfile.TemporaryDirectory(prefix="aduan-pyc-") as scratch, zipfile.ZipFile(archive) as source, \
            zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if "__pycache__/" in info.filename:
                continue
            data = source.read(info)
            target.writestr(info, data)
            if not info.filename.endswith(".py"):
                continue
            staged = Path(scratch) / "module.py"
            staged.write_bytes(data)
            compiled = Path(scratch) / "module.pyc"
            try:
                with warnings.catch_warnings():  # third-party sources' own SyntaxWarnings are not ours to print
                    warnings.simplefilter("ignore")
                    py_compile.compile(str(staged), cfile=str(compiled), dfile=info.filename, doraise=True,
                                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            except py_compile.PyCompileError:
                continue  # a file Python 3.11 cannot compile (test data, py2 leftovers) is never imported
            cache = importlib.util.cache_from_source(info.filename)
            entry = zipfile.ZipInfo(cache, date_time=info.date_time)
            entry.external_attr = info.external_attr
            target.writestr(entry, compiled.read_bytes(), zipfile.ZIP_DEFLATED)
    rewritten.replace(archive)


def geometry_layer(target: Path) -> Path:
    """``requirements-geometry.txt`` as a Lambda layer (manylinux2014 x86_64 wheels, CPython 3.11).

    Cached under ``.chalice/deployments/`` by the requirements' digest, as chalice caches its own layer.
    """
    requirements = ROOT / GEOMETRY_REQUIREMENTS
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    cached = ROOT / ".chalice" / "deployments" / f"geometry-layer-{digest}.zip"
    if not cached.exists():
        with tempfile.TemporaryDirectory(prefix="aduan-geometry-") as scratch:
            site = Path(scratch) / _SITE_PACKAGES
            command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                       "--target", str(site), "--platform", "manylinux2014_x86_64", "--implementation", "cp",
                       "--python-version", "3.11", "--only-binary=:all:", "-r", str(requirements)]
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise RuntimeError(f"could not build the geometry layer:\n{result.stdout}{result.stderr}")
            partial = cached.with_suffix(".partial")
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(Path(scratch).rglob("*")):
                    if path.is_file() and "__pycache__" not in path.parts:
                        archive.write(path, path.relative_to(scratch).as_posix())
            precompile(partial)
            partial.replace(cached)
    shutil.copyfile(cached, target)
    return target


def unzipped_size(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())


def megabytes(size: int) -> str:
    """Binary megabytes, the unit of Lambda's size limits (50 MB zipped, 250 MB unzipped)."""
    return f"{size / 1024 / 1024:.2f} MiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", help="where sam.json and the zips are written")
    args = parser.parse_args(argv)
    try:
        artefacts = package(args.outdir)
    except RuntimeError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"template        {artefacts.template}")
    print(f"deployment.zip  {megabytes(artefacts.deployment_zip.stat().st_size)}")
    if artefacts.layer_zip is not None:
        print(f"{artefacts.layer_zip.name}  {megabytes(artefacts.layer_zip.stat().st_size)}")
    print(f"{GEOMETRY_LAYER}  {megabytes(artefacts.geometry_layer_zip.stat().st_size)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
