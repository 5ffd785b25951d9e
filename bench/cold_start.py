"""Cold start: median time to import ``app.py`` in fresh interpreters, beside a bare Chalice app with boto3.

Each run is a new ``python`` process that times only the import (perf_counter inside the child), so
interpreter start-up is not counted. The variants alternate run by run, so drift in the machine's
load hits all of them alike. Target: ``app.py`` within 1.3x of the bare app.

``app.py`` defers boto3, PynamoDB, Powertools and the rest to the first request that needs them, so a
third line shows that bill too: app.py plus every API module and the libraries a request imports on
first use (not the photo processor's Pillow).

    python bench/cold_start.py [--runs 15] [--top 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.3
BARE_APP = '''\
import boto3  # noqa: F401  (what a typical Chalice app imports at module level)
from chalice import Chalice

app = Chalice(app_name="bare")


@app.route("/")
def index():
    return {"hello": "world"}
'''
FIRST_REQUEST = """
import pkgutil, importlib, chalicelib
for m in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
    if m.name != "chalicelib.adapters.images":
        importlib.import_module(m.name)
import boto3, botocore.config, ulid, cryptography.hazmat.primitives.asymmetric.rsa
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities import idempotency
"""


def _timer(body: str) -> str:
    indented = "\n".join("    " + line for line in body.strip().splitlines())
    return ("import time\nt = time.perf_counter()\nif True:\n" + indented +
            "\nprint(f'{(time.perf_counter() - t) * 1000:.3f}')\n")


def _environment() -> dict[str, str]:
    """What Lambda gives the function: a region and credentials, no endpoint override."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    env.update({"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "ap-southeast-3",
                "AWS_REGION": "ap-southeast-3", "ADUAN_STAGE": "prod", "POWERTOOLS_SERVICE_NAME": "aduan"})
    return env


def import_ms(project: Path, body: str) -> float:
    out = subprocess.run([sys.executable, "-c", _timer(body)], cwd=project, env=_environment(),
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def heaviest_imports(project: Path, top: int) -> list[tuple[float, str]]:
    """The modules with the largest cumulative import time (``-X importtime``) under ``import app``."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import app"], cwd=project,
                         env=_environment(), capture_output=True, text=True, check=True)
    rows = []
    for line in out.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2][1:]  # keep the indentation that shows nesting
        if name.strip() != "app":
            rows.append((int(parts[1]) / 1000, name))
    return sorted(rows, reverse=True)[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--top", type=int, default=10, help="show the N heaviest imports under app.py")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bare-chalice-") as tmp:
        bare = Path(tmp)
        (bare / "app.py").write_text(BARE_APP, encoding="utf-8")
        variants = {
            "aduan app.py": (ROOT, "import app"),
            "bare Chalice app + boto3": (bare, "import app"),
            "aduan app.py + first-request imports": (ROOT, "import app\n" + FIRST_REQUEST),
        }
        for project, body in variants.values():
            import_ms(project, body)  # warm the file system cache and bytecode
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.runs):
            for name, (project, body) in variants.items():
                times[name].append(import_ms(project, body))

    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"cold start: import time, median of {args.runs} fresh interpreters each")
    for name, values in times.items():
        print(f"  {name:38} {medians[name]:8.1f} ms  (min {min(values):.1f}, max {max(values):.1f})")
    ratio = medians["aduan app.py"] / medians["bare Chalice app + boto3"]
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"  {'ratio app.py / bare':38} {ratio:8.2f} x  ({verdict} the {TARGET_RATIO}x target)")
    first = medians["aduan app.py + first-request imports"] / medians["bare Chalice app + boto3"]
    print(f"  {'ratio with first-request imports / bare':38} {first:8.2f} x")
    if args.top:
        print("  heaviest imports under app.py (cumulative, one run; indentation shows nesting):")
        for ms, name in heaviest_imports(ROOT, args.top):
            print(f"    {ms:8.1f} ms  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
