"""IAM's evaluation of the tenant data role (``TenantDataRole`` in infra/resources.json), for tests.

Reproduces the parts the role uses: Allow statements, action and resource wildcards, and
``ForAllValues:StringLike`` on ``dynamodb:LeadingKeys`` with ``${aws:PrincipalTag/tenant}`` substituted.
moto does not evaluate conditions, so this is the check we can run without AWS: the infra tests ask it
about hand-picked calls, the integration tests about every call the API really makes.
"""

from __future__ import annotations

import fnmatch
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT, REGION, STACK = "123456789012", "ap-southeast-3", "aduan-prod"


@cache
def template() -> dict[str, Any]:
    return json.loads((ROOT / "infra" / "resources.json").read_text(encoding="utf-8"))


def _table_arn(logical: str, stack: str) -> str:
    name = template()["Resources"][logical]["Properties"]["TableName"]["Fn::Sub"].replace("${AWS::StackName}", stack)
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def _arn(resource: Any, stack: str) -> str:
    """A resource expression as the ARN CloudFormation would make of it, for ``stack``."""
    if "Fn::GetAtt" in resource:
        return _table_arn(resource["Fn::GetAtt"][0], stack)
    return re.sub(r"\$\{(\w+)\.Arn\}", lambda m: _table_arn(m.group(1), stack), resource["Fn::Sub"])


def _like(pattern: str, value: str) -> bool:
    """IAM StringLike: ``*`` any run of characters, ``?`` one character, case-sensitive."""
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def allowed(action: str, table: str, leading_keys: list[str] | None, tag: str | None, *,
            stack: str = STACK, index: str | None = None) -> bool:
    """Whether a session of the data role tagged ``tenant=tag`` may make this call on ``<stack>-<table>``."""
    role = template()["Resources"]["TenantDataRole"]["Properties"]
    target = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{stack}-{table}" + (f"/index/{index}" if index else "")
    for policy in role["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement["Effect"] != "Allow" or action not in statement["Action"]:
                continue
            if not any(_like(_arn(r, stack), target) for r in statement["Resource"]):
                continue
            ok = True
            for operator, tests in statement.get("Condition", {}).items():
                assert operator == "ForAllValues:StringLike", operator  # the only operator this evaluator knows
                patterns = tests["dynamodb:LeadingKeys"]
                if tag is None:  # an unset policy variable makes the pattern match nothing
                    ok = not leading_keys
                    continue
                wanted = [p.replace("${aws:PrincipalTag/tenant}", tag) for p in patterns]
                # ForAllValues: every key in the request must match one pattern (vacuously true for none).
                ok = ok and all(any(_like(p, key) for p in wanted) for key in (leading_keys or []))
            if ok:
                return True
    return False
