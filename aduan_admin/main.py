"""The ``aduan-admin`` commands. Each calls the same use case the API calls (``chalicelib.services``),
so a YAML file is validated exactly as a ``POST /v1/tenants`` body is.

Where it runs: against AWS with the usual credentials and the stage's settings (``ADUAN_STAGE``,
``USER_POOL_ID``...), or against the local stack with ``--stack .local/stack.json``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from aduan_admin import yaml_paths

EXIT_INVALID = 2
EXIT_FAILED = 1


class Console:
    """Progress on stderr (so stdout stays a clean result a script can read), results on stdout."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out, self.err = out, err

    def step(self, text: str) -> None:
        print(f"… {text}", file=self.err, flush=True)

    def done(self, text: str) -> None:
        print(f"✓ {text}", file=self.err, flush=True)

    def problem(self, text: str) -> None:
        print(f"✗ {text}", file=self.err, flush=True)


def use_stack(stack_file: Path) -> None:
    """Point the settings at the local stack ``make run`` wrote (moto, its user pool)."""
    from urllib.parse import urlparse

    from devstack.run import apply_environment, stack_environment

    stack = json.loads(stack_file.read_text())
    port = urlparse(stack["aws_endpoint_url"]).port
    assert port is not None
    apply_environment({**stack_environment(port), "USER_POOL_ID": stack["user_pool_id"],
                       "USER_POOL_CLIENT_ID": stack["user_pool_client_id"]})


def operator() -> Any:
    """The platform admin this command acts as, named in the audit log by the machine's user."""
    from chalicelib.domain.identity import Caller

    return Caller(sub=f"cli:{getpass.getuser()}", roles=frozenset({"platform_admin"}))


def _report_problem(err: Any, console: Console, source: str, text: str | None) -> int:
    from chalicelib.errors import CATALOG

    title = CATALOG[err.code][1]["en"][0]
    console.problem(f"{source}: {title} ({err.code})")
    for error in err.errors:
        line = yaml_paths.line_of(text, error.field) if text is not None else None
        where = f"{source}:{line}" if line else source
        message = error.message.get("en") or error.message.get("id") or error.code
        console.problem(f"  {where}: {yaml_paths.display(error.field)}: {message} [{error.code}]")
    return EXIT_INVALID


def onboard(args: argparse.Namespace, console: Console) -> int:
    import yaml

    from chalicelib.errors import ProblemError
    from chalicelib.services import onboarding

    source = str(args.file)
    text = args.file.read_text(encoding="utf-8")
    console.step(f"reading {source}")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        console.problem(f"{source}:{mark.line + 1 if mark else '?'}: not valid YAML: {getattr(err, 'problem', err)}")
        return EXIT_INVALID
    console.step("validating and creating the tenant and its first tenant_admin")
    try:
        created = onboarding.create_tenant(document, onboarding.platform_actor(operator()))
    except ProblemError as err:
        return _report_problem(err, console, source, text)
    tenant, admin = created["tenant"], created["admin"]
    console.done(f"tenant {tenant['code']} ({tenant['names']['id']}) created")
    print(json.dumps(created, indent=2, ensure_ascii=False), file=console.out)
    console.done(f"give {admin['username']} the temporary password above: it is shown only this once")
    return 0


def tenants(args: argparse.Namespace, console: Console) -> int:
    from chalicelib.services import billing

    console.step("reading every tenant's counters")
    overview = billing.platform_usage(operator(), args.month)
    if args.json:
        print(json.dumps(overview, indent=2, ensure_ascii=False), file=console.out)
        return 0
    rows = [("TENANT", "STATUS", "PLAN", "REPORTS", "PHOTOS", "API REQ", "TOTAL (IDR)")]
    for row in overview["tenants"]:
        c = row["counters"]
        rows.append((row["tenant"], "active" if row["active"] else "suspended", str(row["plan"]),
                     str(c["reports_created"]), str(c["photos_stored"]), str(c["api_requests"]),
                     f"{row['total']:,}".replace(",", ".")))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print(f"month {overview['month']}", file=console.out)
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)), file=console.out)
    return 0


def _render(invoice: dict[str, Any], fmt: str) -> str:
    from chalicelib.domain import invoices

    if fmt == "csv":
        return invoices.to_csv(invoice)
    if fmt == "html":
        return invoices.to_html(invoice)
    return json.dumps(invoice, indent=2, ensure_ascii=False)


def invoice(args: argparse.Namespace, console: Console) -> int:
    from chalicelib.errors import ProblemError
    from chalicelib.services import billing
    from chalicelib.store.tenants import list_tenants

    codes = [args.tenant] if args.tenant != "all" else [t.code for t in list_tenants()]
    if args.tenant == "all" and not args.out:
        console.problem("exporting every tenant's invoice needs --out DIR")
        return EXIT_INVALID
    for index, code in enumerate(codes, 1):
        console.step(f"[{index}/{len(codes)}] {code} {args.month}")
        try:
            bill = billing.invoice(code, operator(), args.month)
        except ProblemError as err:
            return _report_problem(err, console, code, None)
        body = _render(bill, args.format)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            target = args.out / f"{bill['number'].replace('/', '-')}.{args.format}"
            target.write_text(body, encoding="utf-8")
            console.done(f"[{index}/{len(codes)}] {target} ({bill['total']:,} IDR)".replace(",", "."))
        else:
            print(body, file=console.out)
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="aduan-admin", description="Aduan platform operations.")
    main.add_argument("--stack", type=Path, default=None,
                      help="use the local stack described by this file (e.g. .local/stack.json)")
    commands = main.add_subparsers(dest="command", required=True)
    one = commands.add_parser("onboard", help="create a tenant and its first tenant_admin from a YAML file")
    one.add_argument("file", type=Path)
    one.set_defaults(run=onboard)
    listing = commands.add_parser("tenants", help="list tenants with their usage this month (or --month)")
    listing.add_argument("--month", default=None, help="YYYY-MM; default this month")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=tenants)
    bill = commands.add_parser("invoice", help="export a tenant's (or every tenant's) invoice for a month")
    bill.add_argument("tenant", help="tenant code, or 'all'")
    bill.add_argument("month", help="YYYY-MM")
    bill.add_argument("--format", choices=("json", "csv", "html"), default="json")
    bill.add_argument("--out", type=Path, default=None, help="write files into this folder")
    bill.set_defaults(run=invoice)
    return main


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    args = parser().parse_args(argv)
    console = Console(out or sys.stdout, err or sys.stderr)
    if args.stack is not None:
        if not args.stack.exists():
            console.problem(f"{args.stack}: no such stack file; start the local stack with `make run`")
            return EXIT_FAILED
        use_stack(args.stack)
    if getattr(args, "file", None) is not None and not args.file.exists():
        console.problem(f"{args.file}: no such file")
        return EXIT_INVALID
    run: Callable[[argparse.Namespace, Console], int] = args.run
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "aduan-admin")
    return run(args, console)


if __name__ == "__main__":
    raise SystemExit(main())
