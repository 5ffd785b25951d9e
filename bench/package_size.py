"""Package size: ``devstack.package`` into a temporary directory, then the size of each zip, packed and unpacked.

Targets: ``deployment.zip`` (our code) at most 20 MiB; the managed layer every function loads under 25 MiB
zipped (issue 9: it was 48 MiB with numpy). The geometry layer (shapely + numpy) is listed apart: only the
``check_geometries`` function carries it. Lambda's own limits: 50 MiB per zipped upload and 250 MiB
unzipped for a function and all its layers together.

    python bench/package_size.py [--top 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devstack.package import megabytes, package, unzipped_size  # noqa: E402

TARGET_DEPLOYMENT_BYTES = 20 * 1024 * 1024
TARGET_LAYER_BYTES = 25 * 1024 * 1024
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024


def largest_packages(path: Path, top: int) -> list[tuple[str, int]]:
    """Unzipped bytes per top-level package inside a zip (a layer keeps them under python/lib/.../site-packages)."""
    sizes: Counter[str] = Counter()
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            parts = info.filename.split("/")
            if "site-packages" in parts:
                parts = parts[parts.index("site-packages") + 1:]
            sizes[parts[0].split(".dist-info")[0].split("-")[0]] += info.file_size
    return sizes.most_common(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=8, help="show the N largest packages in the layer")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="aduan-package-") as tmp:
        artefacts = package(Path(tmp) / "out", quiet=True)
        zips = [("deployment.zip (app code)", artefacts.deployment_zip)]
        if artefacts.layer_zip is not None:
            zips.append((f"{artefacts.layer_zip.name} (managed layer)", artefacts.layer_zip))
        zips.append((f"{artefacts.geometry_layer_zip.name} (check_geometries only)", artefacts.geometry_layer_zip))
        print("package size (chalice package --stage prod, automatic_layer)")
        total_unzipped = 0
        for label, path in zips:
            packed, unpacked = path.stat().st_size, unzipped_size(path)
            if path != artefacts.geometry_layer_zip:
                total_unzipped += unpacked
            print(f"  {label:42} {megabytes(packed):>10} zipped  {megabytes(unpacked):>10} unzipped")
        deployment = artefacts.deployment_zip.stat().st_size
        layer = artefacts.layer_zip.stat().st_size if artefacts.layer_zip is not None else 0
        verdict = "within" if deployment <= TARGET_DEPLOYMENT_BYTES else "OVER"
        layer_verdict = "under" if layer < TARGET_LAYER_BYTES else "OVER"
        print(f"  deployment.zip is {verdict} the {megabytes(TARGET_DEPLOYMENT_BYTES)} target; the managed layer is "
              f"{layer_verdict} the {megabytes(TARGET_LAYER_BYTES)} target; an API function + its layer unzipped "
              f"{megabytes(total_unzipped)} of Lambda's {megabytes(LAMBDA_UNZIPPED_LIMIT)} limit")
        if artefacts.layer_zip is not None and args.top:
            print("  largest packages in the layer (unzipped):")
            for name, size in largest_packages(artefacts.layer_zip, args.top):
                print(f"    {megabytes(size):>10}  {name}")
    return 0 if deployment <= TARGET_DEPLOYMENT_BYTES and layer < TARGET_LAYER_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
