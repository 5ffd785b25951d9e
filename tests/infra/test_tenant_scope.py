"""Isolation below the application: the data role lets a session tagged ``tenant=<code>`` touch only
items whose partition key is that tenant (``kupang``) or starts with it and ``#`` (``kupang#RPT``).

IAM's evaluation of this policy is reproduced for the parts it uses (Allow statements, action and
resource wildcards, ``ForAllValues:StringLike`` on ``dynamodb:LeadingKeys`` with the principal tag
substituted): moto does not evaluate conditions, so this is the check we can run without AWS.
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT, REGION, STACK = "123456789012", "ap-southeast-3", "aduan-prod"


def _template() -> dict[str, Any]:
    return json.loads((ROOT / "infra" / "resources.json").read_text(encoding="utf-8"))


def _arn(resource: Any, template: dict[str, Any]) -> str:
    """A resource expression as the ARN CloudFormation would make of it, for this test's stack."""
    def table_arn(logical: str) -> str:
        name = template["Resources"][logical]["Properties"]["TableName"]["Fn::Sub"].replace("${AWS::StackName}", STACK)
        return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"

    if "Fn::GetAtt" in resource:
        return table_arn(resource["Fn::GetAtt"][0])
    text = resource["Fn::Sub"]
    return re.sub(r"\$\{(\w+)\.Arn\}", lambda m: table_arn(m.group(1)), text)


def _like(pattern: str, value: str) -> bool:
    """IAM StringLike: ``*`` any run of characters, ``?`` one character, case-sensitive."""
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def allowed(action: str, table: str, leading_keys: list[str] | None, tag: str | None) -> bool:
    """Whether a session of the data role tagged ``tenant=tag`` may make this call."""
    template = _template()
    role = template["Resources"]["TenantDataRole"]["Properties"]
    target = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{STACK}-{table}"
    for policy in role["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement["Effect"] != "Allow" or action not in statement["Action"]:
                continue
            if not any(_like(_arn(r, template), target) for r in statement["Resource"]):
                continue
            condition = statement.get("Condition", {})
            ok = True
            for operator, tests in condition.items():
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


@pytest.mark.parametrize(("action", "table", "keys"), [
    ("dynamodb:GetItem", "reports", ["kupang"]),
    ("dynamodb:Query", "reports", ["kupang"]),
    ("dynamodb:Query", "report-events", ["kupang#01JRPT"]),
    ("dynamodb:PutItem", "notifications", ["kupang#user#abc"]),
    ("dynamodb:UpdateItem", "usage", ["kupang"]),
    ("dynamodb:GetItem", "tenants", ["kupang"]),
])
def test_a_tenants_session_reaches_its_own_partitions(action, table, keys):
    assert allowed(action, table, keys, tag="kupang")


@pytest.mark.parametrize(("action", "table", "keys"), [
    ("dynamodb:GetItem", "reports", ["karo"]),
    ("dynamodb:GetItem", "reports", ["kupangx"]),  # a code that merely starts with ours
    ("dynamodb:Query", "report-events", ["karo#kupang"]),
    ("dynamodb:BatchGetItem", "reports", ["kupang", "karo"]),  # one foreign key spoils the batch
    ("dynamodb:Query", "notifications", ["karo#user#abc"]),
])
def test_a_tenants_session_never_reaches_another_tenants_partitions(action, table, keys):
    assert not allowed(action, table, keys, tag="kupang")


def test_a_scan_or_an_unlisted_table_is_never_allowed():
    assert not allowed("dynamodb:Scan", "reports", None, tag="kupang")  # no partition key, no Scan at all
    assert not allowed("dynamodb:GetItem", "idempotency", ["kupang"], tag="kupang")  # keys not by tenant
    assert not allowed("dynamodb:DescribeTable", "reports", None, tag="kupang")


def test_an_untagged_session_reaches_nothing():
    assert not allowed("dynamodb:GetItem", "reports", ["kupang"], tag=None)


def test_only_the_api_may_assume_the_data_role_and_only_with_a_tenant_tag():
    template = _template()
    trust = template["Resources"]["TenantDataRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"AWS": {"Fn::GetAtt": ["ApiHandlerRole", "Arn"]}},
                      "Action": ["sts:AssumeRole", "sts:TagSession"],
                      "Condition": {"StringLike": {"aws:RequestTag/tenant": "?*"}}}]


def test_every_tenant_keyed_table_is_in_the_data_role_and_no_other():
    """Tables whose partition key is the tenant or starts with ``<tenant>#``: every one but idempotency
    (Powertools keys it by function and payload hash, which already includes the tenant)."""
    template = _template()
    statement = template["Resources"]["TenantDataRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    tables = {r["Fn::GetAtt"][0] for r in statement["Resource"] if "Fn::GetAtt" in r}
    every = {k for k, v in template["Resources"].items() if v.get("Type") == "AWS::DynamoDB::Table"}
    assert tables == every - {"IdempotencyTable"}
