"""One real local stack per worker: ``python -m devstack.run`` on free ports, driven over HTTP.

Starting it (moto server, provisioning, seeding, chalice local) costs seconds, so every end-to-end test a
worker runs shares one (the Makefile's ``--dist worksteal`` hands them out in order, so mostly to one
worker). Tests create their own reports (or their own tenant) and put back what they change in the demo
tenants, so order does not matter.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port
from tests.e2e.helpers import Api, alive, demo_user, descendants, sign_in

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60.0
STOP_SECONDS = 30.0
STACK_KEYS = {"api_url", "aws_endpoint_url", "region", "user_pool_id", "user_pool_client_id", "demo_users"}
# Anything the test session set for its own in-process moto must not leak into the stack.
_NOT_INHERITED = ("AWS_ENDPOINT_URL", "MOTO_PORT", "USER_POOL_ID", "USER_POOL_CLIENT_ID", "COGNITO_JWKS_URL",
                  "ADUAN_STACK_FILE", "API_PORT", "AWS_PORT", "AWS_SESSION_TOKEN")


def _ports() -> tuple[int, int]:
    api = free_port()
    aws = free_port()
    while aws == api:
        aws = free_port()
    return api, aws


def _log_tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Start the stack as a developer would, yield stack.json, and prove at the end that it all stopped."""
    workdir = tmp_path_factory.mktemp("stack")
    stack_file = workdir / "stack.json"
    log_path = workdir / "run.log"
    api_port, aws_port = _ports()
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    env["PYTHONUNBUFFERED"] = "1"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "devstack.run", "--api-port", str(api_port), "--aws-port", str(aws_port),
             "--stack-file", str(stack_file)],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not stack_file.exists():
            if process.poll() is not None:
                pytest.fail(f"devstack.run exited with {process.returncode} before the stack was up:\n"
                            f"{_log_tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"no stack file after {START_SECONDS:.0f} s:\n{_log_tail(log_path)}")
            time.sleep(0.1)
        yield json.loads(stack_file.read_text())
    finally:
        spawned = descendants(process.pid)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            code = process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            for pid in spawned:
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)
            pytest.fail(f"devstack.run did not stop within {STOP_SECONDS:.0f} s:\n{_log_tail(log_path)}")
        assert code == 0, f"devstack.run exited with {code}:\n{_log_tail(log_path)}"
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in spawned) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = sorted(pid for pid in spawned if alive(pid))
        assert not left, f"processes left running after SIGTERM: {left}"
        assert not stack_file.exists(), "the stack file should be removed on exit"
        from devstack.run import port_in_use

        assert not port_in_use(api_port) and not port_in_use(aws_port), "a port is still held after stopping"


@pytest.fixture(scope="session")
def api(stack: dict[str, Any]) -> Api:
    return Api(stack["api_url"])


@pytest.fixture(scope="session")
def citizen(stack: dict[str, Any]) -> dict[str, Any]:
    """The first demo citizen, signed in: username, sub and IdToken."""
    user = demo_user(stack, "citizen")
    tokens = sign_in(stack, user["username"], user["password"])
    return {"username": user["username"], "id_token": tokens["IdToken"]}


@pytest.fixture(scope="session")
def other_citizen(stack: dict[str, Any]) -> dict[str, Any]:
    user = [u for u in stack["demo_users"] if u["role"] == "citizen"][1]
    tokens = sign_in(stack, user["username"], user["password"])
    return {"username": user["username"], "id_token": tokens["IdToken"]}
