"""A cold Lambda's first response, as Lambda invokes it, beside a bare Chalice app's.

Each sample is a fresh ``python`` process that imports the app and answers one API Gateway proxy event
through ``app(event, context)`` (no test client), against an in-process moto server provisioned and
seeded as the integration tests are. The time is taken in the parent, from the process's spawn to the
response line, so interpreter start-up, every import deferred to the first request, the tenant
session, the JWKS fetch and the AWS calls all count. Three kinds, interleaved sample by sample so the
machine's drift hits them alike:

- ``floor``: a bare Chalice app whose one route does one boto3 DynamoDB PutItem;
- ``create``: the first anonymous ``POST /v1/tenants/kupang/reports`` of a container;
- ``transition``: the first authenticated ``POST .../transitions`` (the desk verifies a report).

Issue 9's target: each within 1.5x of the floor (median of at least 7 samples).

By default both sides run what Lambda would run: ``devstack.package`` builds the deployment zip and the
managed layer (botocore pruned to the services called, no numpy), the bench unpacks them, and each child
imports its packages from the unpacked layer only (``python -S``, ``PYTHONPATH`` = the layer). Our app
runs from the unpacked deployment zip; the bare app from its own directory, on the same layer.
Children write no bytecode (Lambda's code and layers are read-only), so what is not shipped compiled is
compiled by every cold start, as in Lambda (``--without-bytecode`` drops the shipped ``.pyc`` files: the
package as it was before it carried them). ``--from-venv`` runs both on the development virtualenv
instead (faster; no PyPI needed once cached).
The child's own CPU time is printed too: on a busy machine it is steadier than the wall time.

    python bench/first_response.py [--runs 7] [--from-venv]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import site
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from aws_calls import Recorder, local_aws, seeded_stack  # noqa: E402

TARGET_RATIO = 1.5
BODY = {"category": "garbage", "description": "Sampah menumpuk di pasar Oeba",
        "location": {"lat": -10.1772, "lon": 123.607}}

BARE_APP = '''\
import boto3
from chalice import Chalice

app = Chalice(app_name="bare")
_table = None


@app.route("/v1/things", methods=["POST"])
def put():
    global _table
    if _table is None:
        _table = boto3.client("dynamodb")
    _table.put_item(TableName="aduan-dev-usage", Item={"tenant": {"S": "bare"}, "key": {"S": "x"}})
    return {"ok": True}
'''

# The child: build the proxy event, call the app as Lambda would, print the status.
INVOKE = '''
import json, os, sys, uuid
sys.path.insert(0, os.getcwd())
spec = json.loads(os.environ["BENCH_REQUEST"])
class Context:
    aws_request_id = str(uuid.uuid4())
    function_name = "api_handler"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:ap-southeast-3:123456789012:function:api_handler"
    log_group_name = "/aws/lambda/api_handler"
    log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 29000
event = {
    "resource": spec["resource"], "path": spec["path"], "httpMethod": spec["method"],
    "headers": spec["headers"], "multiValueHeaders": {k: [v] for k, v in spec["headers"].items()},
    "queryStringParameters": None, "multiValueQueryStringParameters": None,
    "pathParameters": spec["params"], "stageVariables": None,
    "requestContext": {"resourcePath": spec["resource"], "httpMethod": spec["method"], "path": spec["path"],
                       "requestId": str(uuid.uuid4()), "stage": "api", "identity": {"sourceIp": "127.0.0.1"}},
    "body": spec["body"], "isBase64Encoded": False,
}
from app import app
answer = app(event, Context())
sys.stdout.write("STATUS " + str(answer["statusCode"]) + "\\n")
'''


def _child_env(extra: dict[str, str], packages: list[str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(extra)
    # The children run with -S and the packages on PYTHONPATH: site's .pth files (the editable install of
    # the operator CLI) cost a dev interpreter tens of ms that a Lambda never pays, on both sides alike.
    env["PYTHONPATH"] = os.pathsep.join(packages)
    # Lambda's code and layers are read-only: a child may not leave compiled modules for the next one.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["POWERTOOLS_LOG_LEVEL"] = "ERROR"  # a log line is not what a user waits for
    return env


def _sample(project: Path, packages: list[str], request: dict[str, object], expect: int) -> tuple[float, float]:
    """Wall ms from spawn to answer, and the child's own CPU ms (steadier on a busy machine)."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-S", "-c", INVOKE], cwd=project, capture_output=True, text=True,
                          env=_child_env({"BENCH_REQUEST": json.dumps(request)}, packages), check=False)
    took = (time.perf_counter() - began) * 1000
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime) * 1000
    status = next((line.split()[1] for line in done.stdout.splitlines() if line.startswith("STATUS ")), None)
    if status != str(expect):
        raise SystemExit(f"{request['path']}: expected {expect}, got {status}\n{done.stdout[-800:]}"
                         f"{done.stderr[-1500:]}")
    return took, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--from-venv", action="store_true", help="the dev virtualenv, not the packaged layer")
    parser.add_argument("--without-bytecode", action="store_true",
                        help="drop the shipped .pyc files: what a cold start paid before the package carried them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aduan-first-response-") as scratch:
        if args.from_venv:
            code, packages = ROOT, site.getsitepackages()
            print("packages: the development virtualenv")
        else:
            code, packages = _unpacked(Path(scratch), args.without_bytecode)
            print("packages: the deployment zip and the managed layer, as devstack.package builds them"
                  + (", without their compiled modules" if args.without_bytecode else ""))
        with local_aws(Recorder()) as endpoint:
            return _measure(endpoint, args.runs, code, packages)


def _unpacked(scratch: Path, without_bytecode: bool = False) -> tuple[Path, list[str]]:
    """Package the app, unzip our code and the managed layer; where the children find them."""
    import zipfile

    from devstack.package import package

    artefacts = package(scratch / "package", quiet=True)
    code, layer = scratch / "code", scratch / "layer"
    with zipfile.ZipFile(artefacts.deployment_zip) as archive:
        archive.extractall(code)
    if artefacts.layer_zip is not None:
        with zipfile.ZipFile(artefacts.layer_zip) as archive:
            archive.extractall(layer)
    if without_bytecode:
        for cache in [*code.rglob("__pycache__"), *layer.rglob("__pycache__")]:
            shutil.rmtree(cache)
    return code, [str(layer / "python" / "lib" / "python3.11" / "site-packages")]


def _measure(endpoint: str, runs: int, code: Path, packages: list[str]) -> int:
    from chalice.test import Client

    stack = seeded_stack(endpoint)
    desk = stack.token("admin.kupang")
    import contextlib
    import io
    import logging

    import app

    logging.getLogger(app.app.app_name).disabled = True  # the parent's own setup requests

    reports = "/v1/tenants/kupang/reports"
    json_headers = {"content-type": "application/json", "host": "localhost"}
    samples: dict[str, list[tuple[float, float]]] = {"floor": [], "create": [], "transition": []}
    with tempfile.TemporaryDirectory(prefix="bare-chalice-") as bare_dir, Client(app.app) as client:
        bare = Path(bare_dir)
        (bare / "app.py").write_text(BARE_APP, encoding="utf-8")
        if (code / "chalice").is_dir() and code != ROOT:  # chalice package vendors the framework into the zip
            shutil.copytree(code / "chalice", bare / "chalice")
        for _ in range(runs):
            with contextlib.redirect_stdout(io.StringIO()):  # its EMF metric line
                created = client.http.post(reports, headers={"Content-Type": "application/json"},
                                           body=json.dumps(BODY).encode()).json_body
            samples["floor"].append(_sample(bare, packages, {
                "resource": "/v1/things", "path": "/v1/things", "method": "POST", "params": None,
                "headers": json_headers, "body": "{}"}, 200))
            samples["create"].append(_sample(code, packages, {
                "resource": "/v1/tenants/{tenant}/reports", "path": reports, "method": "POST",
                "params": {"tenant": "kupang"}, "headers": json_headers, "body": json.dumps(BODY)}, 201))
            samples["transition"].append(_sample(code, packages, {
                "resource": "/v1/tenants/{tenant}/reports/{report_id}/transitions",
                "path": f"{reports}/{created['id']}/transitions", "method": "POST",
                "params": {"tenant": "kupang", "report_id": created["id"]},
                "headers": {**json_headers, "authorization": f"Bearer {desk}"},
                "body": json.dumps({"action": "verify"})}, 200))
    def median(kind: str, which: int) -> float:
        return statistics.median(sample[which] for sample in samples[kind])

    floor, floor_cpu = median("floor", 0), median("floor", 1)
    print(f"A cold process's first response, as Lambda invokes it (median of {runs} fresh processes, interleaved)")
    print(f"  {'':36} {'wall':>8}  {'ratio':>5}   {'child CPU':>9}  {'ratio':>5}")
    print(f"  {'bare Chalice + one boto3 PutItem':36} {floor:5.0f} ms  {'':5}   {floor_cpu:6.0f} ms")
    over = False
    for kind, label in (("create", "first anonymous create-report"), ("transition", "first authenticated transition")):
        wall, cpu = median(kind, 0), median(kind, 1)
        ratio = wall / floor
        over |= ratio > TARGET_RATIO
        mark = "ok" if ratio <= TARGET_RATIO else "OVER"
        print(f"  {label:36} {wall:5.0f} ms  {ratio:4.2f}x   {cpu:6.0f} ms  {cpu / floor_cpu:4.2f}x"
              f"  (target: wall <= {TARGET_RATIO}x: {mark})")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
