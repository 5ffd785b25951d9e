"""Isolation below the application: the data role lets a session tagged ``tenant=<code>`` touch only
items whose partition key is that tenant (``kupang``) or starts with it and ``#`` (``kupang#RPT``).

IAM's evaluation of this policy is reproduced for the parts it uses (Allow statements, action and
resource wildcards, ``ForAllValues:StringLike`` on ``dynamodb:LeadingKeys`` with the principal tag
substituted): moto does not evaluate conditions, so this is the check we can run without AWS.
"""

from __future__ import annotations

import pytest

from tests.iam_policy import allowed, template


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
    assert not allowed("dynamodb:GetItem", "idempotency", ["aduan-api#3f2a"], tag="kupang")  # Powertools' keys
    assert not allowed("dynamodb:DescribeTable", "reports", None, tag="kupang")


def test_an_untagged_session_reaches_nothing():
    assert not allowed("dynamodb:GetItem", "reports", ["kupang"], tag=None)


def test_only_the_api_may_assume_the_data_role_and_only_with_a_tenant_tag():
    doc = template()
    trust = doc["Resources"]["TenantDataRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"AWS": {"Fn::GetAtt": ["ApiHandlerRole", "Arn"]}},
                      "Action": ["sts:AssumeRole", "sts:TagSession"],
                      "Condition": {"StringLike": {"aws:RequestTag/tenant": "?*"}}}]


def test_every_tenant_keyed_table_is_in_the_data_role_and_no_other():
    """Every table's partition key is the tenant or starts with ``<tenant>#``. In the idempotency table
    that holds for transitions' claims (``kupang#transition:...``); Powertools' own records (keyed by
    function and payload hash) are written with the function's role, outside the tenant's session."""
    doc = template()
    statement = doc["Resources"]["TenantDataRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    tables = {r["Fn::GetAtt"][0] for r in statement["Resource"] if "Fn::GetAtt" in r}
    every = {k for k, v in doc["Resources"].items() if v.get("Type") == "AWS::DynamoDB::Table"}
    assert tables == every
