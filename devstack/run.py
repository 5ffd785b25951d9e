"""``make run``: the whole local stack in one command, stopped with Ctrl-C.

    python -m devstack.run [--api-port 8000] [--aws-port 5000] [--stack-file .local/stack.json] [--reload]

It starts a moto server (every AWS service the app uses) as a child process, switches on real Step
Functions execution, provisions the tables, bucket, queues and user pool, seeds the demo tenants and
accounts, starts ``chalice local`` as a second child, and runs the S3 -> SQS -> Lambda event source
mapping for photo uploads as a thread in this process. When the API answers it writes a stack file
(``.local/stack.json``, git-ignored) that tells clients and the end-to-end tests where everything is.

Ctrl-C or SIGTERM (to this process or its process group) stops everything it started and exits 0.
If a child dies on its own, everything is stopped and the exit status is 1; a port already in use
exits with 2 before anything is started. The stack lives in moto's memory, so every run starts
from the same fresh demo data.

Children run in their own sessions (process groups): a Ctrl-C in the terminal reaches only this
process, which then stops each child's whole group (first SIGTERM, then SIGKILL after a timeout).
On Linux the children are also asked to receive SIGTERM if this process dies without cleaning up.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STACK_FILE = ROOT / ".local" / "stack.json"
REGION = "ap-southeast-3"
STAGE = "dev"
MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
MOTO_START_SECONDS = 30.0
API_START_SECONDS = 60.0
STOP_SECONDS = 10.0
ESCALATE_AFTER_SECONDS = 1.0
POLL_WAIT_SECONDS = 1

EXIT_OK, EXIT_FAILED, EXIT_PORT_IN_USE = 0, 1, 2
_ACCESS_LOG = re.compile(r'"[A-Z]+ \S+ HTTP/\d(\.\d)?[^"]*" \d{3}')


class StackError(Exception):
    """The stack could not start or keep running; the message says why, for a person."""

    exit_code = EXIT_FAILED


class PortInUse(StackError):
    exit_code = EXIT_PORT_IN_USE


class _Stop(Exception):
    """A stop signal arrived while the stack was still starting."""


def say(message: str) -> None:
    print(f"[aduan] {message}", flush=True)


# -- arguments and environment ---------------------------------------------------------------


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a port number, not {raw!r}") from None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devstack.run",
                                     description="Start moto + chalice local with demo data; Ctrl-C stops everything.")
    parser.add_argument("--api-port", type=int, default=_env_int("API_PORT", 8000),
                        help="port of the API (chalice local); env API_PORT, default 8000")
    parser.add_argument("--aws-port", type=int, default=_env_int("AWS_PORT", 5000),
                        help="port of the AWS stand-in (moto server); env AWS_PORT, default 5000")
    parser.add_argument("--stack-file", type=Path,
                        default=Path(os.environ.get("ADUAN_STACK_FILE") or DEFAULT_STACK_FILE),
                        help="where to write the stack description; env ADUAN_STACK_FILE, default .local/stack.json")
    parser.add_argument("--reload", action="store_true",
                        help="restart the API when code changes (the photo processor thread is not reloaded)")
    args = parser.parse_args(argv)
    for name in ("api_port", "aws_port"):
        port = getattr(args, name)
        if not 1 <= port <= 65535:
            parser.error(f"--{name.replace('_', '-')} must be between 1 and 65535, not {port}")
    if args.api_port == args.aws_port:
        parser.error("--api-port and --aws-port must differ")
    args.stack_file = args.stack_file.expanduser().resolve()
    return args


def stack_environment(aws_port: int) -> dict[str, str]:
    """What this process and its children need to talk to moto instead of AWS."""
    return {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",  # dummy: moto accepts anything, and nothing leaves the machine
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{aws_port}",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "MOTO_PORT": str(aws_port),  # moto's own Step Functions calls back to this port
        "TZ": "UTC",
        "ADUAN_STAGE": STAGE,
        "PYTHONUNBUFFERED": "1",
    }


def apply_environment(values: dict[str, str]) -> None:
    """Set ``values`` in this process (children inherit it) and drop anything that would point elsewhere."""
    for name in list(os.environ):
        if name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CONFIG_FILE",
                    "AWS_SHARED_CREDENTIALS_FILE") or name.startswith("AWS_ENDPOINT_URL_"):
            del os.environ[name]
    os.environ.update(values)
    if hasattr(time, "tzset"):
        time.tzset()
    from chalicelib.config import reset_settings

    reset_settings()


# -- ports and HTTP probes -------------------------------------------------------------------


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something listens on ``port`` or it cannot be bound (as the servers would bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        if probe.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # both servers set it too
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def _http(method: str, url: str, body: Any = None, timeout: float = 2.0) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,  # noqa: S310 (always http://127.0.0.1)
                                     headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status), response.read()
    except urllib.error.HTTPError as err:
        return int(err.code), err.read()


# -- children --------------------------------------------------------------------------------


def _parent_death_signal() -> Callable[[], None] | None:
    """A pre-exec hook that makes the child get SIGTERM if we die without stopping it (Linux only).

    Everything is looked up here, in the parent: between fork and exec the child only calls prctl.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig, sigterm = 1, int(signal.SIGTERM)

    def hook() -> None:
        prctl(pr_set_pdeathsig, sigterm, 0, 0, 0)

    return hook


class Child:
    """One child process, leader of its own process group."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], output: IO[Any] | None) -> None:
        self.name = name
        self.command = command
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=output, stderr=subprocess.STDOUT if output is not None else None,
            start_new_session=True, preexec_fn=_parent_death_signal())

    @property
    def pid(self) -> int:
        return self.process.pid

    def exit_code(self) -> int | None:
        return self.process.poll()

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)

    def stop(self, timeout: float, force: Callable[[], bool] = lambda: False) -> None:
        """SIGTERM the child's group, SIGKILL it after ``timeout`` seconds (or at once when ``force()``)."""
        self._signal_group(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not force():
            try:
                self.process.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                continue
        if self.process.poll() is None:
            say(f"killing {self.name}" if force() else f"{self.name} did not stop within {timeout:.0f} s; killing it")
        self._signal_group(signal.SIGKILL)  # also whatever the child left behind in its group
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


def chalice_command(api_port: int, reload: bool) -> list[str]:
    """``chalice local`` run by this interpreter (so the venv's packages are the ones used)."""
    script = Path(sys.executable).with_name("chalice")
    if script.is_file():
        # The reloader re-runs sys.argv, so with --reload the script itself must be argv[0].
        base = [str(script)] if reload else [sys.executable, str(script)]
    else:  # no console script (odd installs): call the CLI entry point directly; it cannot reload
        base = [sys.executable, "-c", "import sys; from chalice.cli import main; sys.exit(main())"]
        reload = False
    return [*base, "local", "--host", "127.0.0.1", "--port", str(api_port), "--stage", STAGE,
            "--autoreload" if reload else "--no-autoreload"]


# -- the stack -------------------------------------------------------------------------------


class LocalStack:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.api_url = f"http://127.0.0.1:{args.api_port}"
        self.aws_url = f"http://127.0.0.1:{args.aws_port}"
        self.stack_file: Path = args.stack_file
        self.moto_log = self.stack_file.parent / "moto.log"
        self.children: list[Child] = []
        self._state = "starting"  # starting -> running -> stopping
        self._stop = threading.Event()
        self._force = False
        self._stop_started = 0.0
        self._stop_reason = ""
        self._pollers: list[threading.Thread] = []
        self._poller_stop = threading.Event()
        self._poller_error: BaseException | None = None
        self._wrote_stack_file = False
        self._moto_output: IO[Any] | None = None
        self.api_keys: dict[str, str] = {}

    # signals

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self._state == "stopping":
            # A second signal from a person (Ctrl-C again) kills at once. One that arrives together with
            # the first (``make`` passes on the SIGTERM its group already got) does not.
            if not self._force and time.monotonic() - self._stop_started > ESCALATE_AFTER_SECONDS:
                say(f"{name} again: killing what is left")
                self._force = True
            return
        if not self._stop.is_set():
            self._stop_reason = name
            self._stop_started = time.monotonic()
            self._stop.set()
        if self._state == "starting":
            raise _Stop(name)

    def _install_signal_handlers(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    # lifecycle

    def run(self) -> int:
        self._install_signal_handlers()
        code = EXIT_OK
        try:
            self._check_ports()
            self._remove_stale_stack_file()
            apply_environment(stack_environment(self.args.aws_port))
            self._start_moto()
            resources, users = self._provision()
            import app  # noqa: F401 (fail early on an import error, before chalice local does)

            self._start_api()
            self._start_pollers(resources)
            self._wait_for_api()
            self._write_stack_file(resources, users)
            self._print_summary(resources, users)
            self._state = "running"
            code = self._watch()
        except _Stop:
            say(f"{self._stop_reason or 'stop'} received while starting; stopping")
        except StackError as err:
            say(f"ERROR: {err}")
            code = err.exit_code
        except Exception as err:  # a bug or an AWS call that failed: say so, clean up, exit 1
            say(f"ERROR: the local stack failed: {type(err).__name__}: {err}")
            import traceback

            traceback.print_exc()
            code = EXIT_FAILED
        finally:
            self._shutdown()
        return code

    def _check_ports(self) -> None:
        taken = [(what, port) for what, port in (("API", self.args.api_port), ("AWS (moto)", self.args.aws_port))
                 if port_in_use(port)]
        if taken:
            lines = []
            for what, port in taken:
                lines.append(f"Port {port} ({what}) sudah dipakai proses lain / is already in use by another process.")
            lines.append("Hentikan proses itu atau pilih port lain / Stop that process or choose other ports, e.g.:")
            lines.append("    make run API_PORT=8001 AWS_PORT=5001")
            lines.append("(lsof -i :PORT or ss -ltnp shows who holds a port)")
            raise PortInUse("\n".join(lines))

    def _remove_stale_stack_file(self) -> None:
        """A file left by a run that was killed would send clients to ports nobody listens on."""
        if self.stack_file.exists():
            self.stack_file.unlink()
            say(f"removed a stale {self.stack_file.name} left by an earlier run")

    def _start_moto(self) -> None:
        self.moto_log.parent.mkdir(parents=True, exist_ok=True)
        self._moto_output = self.moto_log.open("wb")
        say(f"starting moto server on {self.aws_url} (log: {self.moto_log})")
        moto = Child("moto server", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                                     "-p", str(self.args.aws_port)], dict(os.environ), self._moto_output)
        self.children.append(moto)
        deadline = time.monotonic() + MOTO_START_SECONDS
        while True:
            if moto.exit_code() is not None:
                raise StackError(f"moto server exited with code {moto.exit_code()} before answering; "
                                 f"last lines of {self.moto_log}:\n{self._tail(self.moto_log)}")
            try:
                status, body = _http("POST", f"{self.aws_url}/moto-api/config", MOTO_CONFIG)
                # moto echoes only batch and lambda back; stepfunctions is stored all the same.
                if status < 300 and json.loads(body).get("lambda", {}).get("use_docker") is False:
                    return
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise StackError(f"moto server did not answer on {self.aws_url} within {MOTO_START_SECONDS:.0f} s")
            time.sleep(0.1)

    def _provision(self) -> tuple[Any, list[Any]]:
        from chalicelib.config import reset_settings
        from devstack.provision import provision
        from devstack.seed import seed_api_keys, seed_tenants, seed_users

        say("provisioning tables, bucket, queues and user pool; seeding demo tenants and accounts")
        resources = provision(STAGE)
        os.environ.update(resources.environment())
        os.environ["COGNITO_JWKS_URL"] = f"{self.aws_url}/{resources.user_pool_id}/.well-known/jwks.json"
        reset_settings()
        seed_tenants()
        users = seed_users(resources.user_pool_id, REGION)
        self.api_keys = seed_api_keys()
        return resources, users

    def _start_api(self) -> None:
        command = chalice_command(self.args.api_port, self.args.reload)
        say(f"starting chalice local on {self.api_url}")
        self.children.append(Child("chalice local", command, dict(os.environ), None))

    def _start_pollers(self, resources: Any) -> None:
        """Stand-ins for the event source mappings (photo uploads, the reports stream, notifications,
        exports) and for EventBridge Scheduler (SLA timers' first wakes)."""
        import app as handlers  # the module: its handler functions are what Lambda would invoke
        from devstack.pollers import StreamPoller, poll_once

        stream = StreamPoller(resources.report_stream_arn, handlers.on_report_change, region=REGION)
        loops: list[tuple[str, Callable[[], int]]] = [
            ("photo poller", lambda: poll_once(resources.upload_queue_url, resources.upload_queue_arn,
                                               handlers.process_photo_uploads, wait_seconds=POLL_WAIT_SECONDS,
                                               region=REGION)),
            ("stream poller", lambda: stream.poll_once() or (self._poller_stop.wait(0.2) and 0)),
        ]
        if resources.notification_queue_url:
            loops.append(("notification poller", lambda: poll_once(
                resources.notification_queue_url, resources.notification_queue_arn, handlers.notify,
                wait_seconds=POLL_WAIT_SECONDS, region=REGION)))
        if resources.delivery_queue_url:
            loops.append(("delivery poller", lambda: poll_once(
                resources.delivery_queue_url, resources.delivery_queue_arn, handlers.deliver,
                wait_seconds=POLL_WAIT_SECONDS, region=REGION)))
        if resources.export_queue_url:
            loops.append(("export poller", lambda: poll_once(
                resources.export_queue_url, resources.export_queue_arn, handlers.export_reports,
                wait_seconds=POLL_WAIT_SECONDS, region=REGION)))
        if resources.sla_schedule_group:
            loops.append(("schedule firer", lambda: self._fire_due_schedules(resources.sla_schedule_group)))
        for name, poll in loops:
            thread = threading.Thread(target=self._poll_loop, args=(name, poll), name=name, daemon=True)
            self._pollers.append(thread)
            thread.start()

    def _fire_due_schedules(self, group: str) -> int:
        """EventBridge Scheduler's part: every second, start the SLA timers whose first wake has come."""
        import datetime as dt

        from devstack.pollers import fire_schedules

        fired = fire_schedules(group, dt.datetime.now(dt.UTC), region=REGION)
        self._poller_stop.wait(1.0)
        return fired

    def _poll_loop(self, name: str, poll: Callable[[], int]) -> None:
        failures = 0
        while not self._poller_stop.is_set():
            try:
                poll()
                failures = 0
            except Exception as err:  # moto restarting or going away: back off, keep going
                if self._poller_stop.is_set():
                    break
                failures += 1
                if failures in (1, 10) or failures % 100 == 0:
                    say(f"{name}: {type(err).__name__}: {err} (retrying)")
                self._poller_stop.wait(min(5.0, 0.5 * failures))
            except BaseException as err:  # pragma: no cover (SystemExit from a handler, say)
                self._poller_error = err
                raise

    def _wait_for_api(self) -> None:
        deadline = time.monotonic() + API_START_SECONDS
        while True:
            self._check_children()
            try:
                status, _ = _http("GET", f"{self.api_url}/v1/health")
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise StackError(f"the API did not answer {self.api_url}/v1/health within {API_START_SECONDS:.0f} s")
            time.sleep(0.2)

    def _write_stack_file(self, resources: Any, users: list[Any]) -> None:
        stack = {
            "api_url": self.api_url,
            "aws_endpoint_url": self.aws_url,
            "region": REGION,
            "user_pool_id": resources.user_pool_id,
            "user_pool_client_id": resources.user_pool_client_id,
            "demo_users": [{k: u.as_dict()[k] for k in ("username", "password", "role", "tenant", "agency")}
                           for u in users],
            # One client-app key per demo tenant (X-Api-Key); also the tenant's Open311 api_key.
            "api_keys": dict(self.api_keys),
            "open311_api_keys": dict(self.api_keys),
        }
        self.stack_file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.stack_file.with_name(f".{self.stack_file.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(stack, indent=2) + "\n", encoding="utf-8")
        partial.replace(self.stack_file)  # atomic: a reader never sees half a file
        self._wrote_stack_file = True

    def _print_summary(self, resources: Any, users: list[Any]) -> None:
        width = max(len(u.username) for u in users)
        rows = []
        for u in users:
            where = ", ".join(part for part in (u.tenant and f"tenant {u.tenant}", u.agency and f"unit {u.agency}")
                              if part)
            rows.append(f"    {u.username:<{width}}  {u.role:<12} {where}")
        password = users[0].password if users and all(u.password == users[0].password for u in users) else None
        lines = [
            "",
            "Aduan local stack is up / stack lokal Aduan sudah berjalan",
            f"  API             {self.api_url}   (try {self.api_url}/v1/tenants/kupang)",
            f"  AWS (moto)      {self.aws_url}   region {REGION}, log {self.moto_log}",
            f"  user pool       {resources.user_pool_id}   app client {resources.user_pool_client_id}",
            f"  stack file      {self.stack_file}",
            "  demo tenants    kupang, karo, langkat",
            "  demo accounts" + (f" (password for all: {password})" if password else " (passwords in the stack file)"),
            *rows,
            "  sign in with Cognito USER_PASSWORD_AUTH against the AWS endpoint; send the IdToken as 'Bearer'.",
            "  Ctrl-C stops everything / Ctrl-C menghentikan semuanya.",
            "",
        ]
        print("\n".join(lines), flush=True)

    def _check_children(self) -> None:
        for child in self.children:
            code = child.exit_code()
            if code is not None:
                hint = f"; last lines of {self.moto_log}:\n{self._tail(self.moto_log)}" if child.name == "moto server" \
                    else ""
                raise StackError(f"{child.name} (pid {child.pid}) exited unexpectedly with code {code}{hint}")
        for poller in self._pollers:
            if not poller.is_alive() and not self._poller_stop.is_set():
                raise StackError(f"the {poller.name} thread stopped unexpectedly: {self._poller_error!r}")

    def _watch(self) -> int:
        while not self._stop.wait(0.25):
            try:
                self._check_children()
            except StackError as err:
                say(f"ERROR: {err}; stopping everything")
                return EXIT_FAILED
        say(f"{self._stop_reason} received; stopping")
        return EXIT_OK

    def _shutdown(self) -> None:
        self._state = "stopping"
        if not self._stop.is_set():  # stopping because of a failure, not a signal
            self._stop_started = time.monotonic()
        self._poller_stop.set()
        # The API first (no new work), then the poller, then moto that both of them talk to.
        for child in sorted(self.children, key=lambda c: c.name != "chalice local"):
            if child.name == "moto server":
                for poller in self._pollers:
                    poller.join(timeout=POLL_WAIT_SECONDS + 5)
            child.stop(STOP_SECONDS, force=lambda: self._force)
        for poller in self._pollers:
            poller.join(timeout=1)
        if self._moto_output is not None:
            self._moto_output.close()
        if self._wrote_stack_file:
            with contextlib.suppress(FileNotFoundError):
                self.stack_file.unlink()
        if self.children:
            say("stopped / berhenti")

    @staticmethod
    def _tail(path: Path, lines: int = 20) -> str:
        """The last lines of a log that are not request logs (those say nothing about why it stopped)."""
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "    (no log)"
        kept = [line for line in text.splitlines() if not _ACCESS_LOG.search(line)]
        return "\n".join(f"    {line}" for line in kept[-lines:]) or "    (only request logs)"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return LocalStack(args).run()


if __name__ == "__main__":
    sys.exit(main())
