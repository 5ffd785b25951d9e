"""Tests start from the provisioned stack and nothing else: what one test writes, the next never sees.

The suite provisions moto once per worker and puts its data back before every test
(``tests/integration/moto_state.py``). These tests write to every service the app uses, put the data
back, and check that moto holds what provisioning left, and that a change to the stack's shape is
refused (the fixture then provisions from scratch).
"""

from __future__ import annotations

import json

import boto3
import pytest

from tests.integration.conftest import report_body
from tests.integration.sla_clock import scheduled

REPORTS = "/v1/tenants/kupang/reports"


def _contents(stack) -> dict[str, object]:
    """What a test could read back: items per table, messages per queue, objects, users, mail, executions."""
    from chalicelib.store.models import ALL_MODELS

    sqs, s3 = boto3.client("sqs"), boto3.client("s3")
    cognito, sfn = boto3.client("cognito-idp"), boto3.client("stepfunctions")
    pool = stack.resources.user_pool_id
    queues = sqs.list_queues()["QueueUrls"]
    users = cognito.list_users(UserPoolId=pool)["Users"]
    return {
        "items": {m.Meta.table_name: sorted(json.dumps(i.to_simple_dict(), sort_keys=True, default=str)
                                            for i in m.scan()) for m in ALL_MODELS},
        "messages": {url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
                     ["ApproximateNumberOfMessages"] for url in queues},
        "objects": [o["Key"] for o in s3.list_objects_v2(Bucket=_bucket()).get("Contents", [])],
        "users": sorted((u["Username"], u["UserStatus"], u["Enabled"], json.dumps(u["Attributes"], sort_keys=True),
                         tuple(g["GroupName"] for g in cognito.admin_list_groups_for_user(
                             UserPoolId=pool, Username=u["Username"])["Groups"])) for u in users),
        "mail": boto3.client("ses").get_send_quota()["SentLast24Hours"],
        "executions": [e["executionArn"] for e in sfn.list_executions(
            stateMachineArn=stack.resources.sla_state_machine_arn)["executions"]],
        "schedules": scheduled(),
    }


def _bucket() -> str:
    from chalicelib.config import get_settings

    return get_settings().photo_bucket


def _sender() -> str:
    from chalicelib.config import get_settings

    return get_settings().email_sender


def _stream_records(stack) -> int:
    streams = boto3.client("dynamodbstreams")
    shards = streams.describe_stream(StreamArn=stack.resources.report_stream_arn)["StreamDescription"]["Shards"]
    count = 0
    for shard in shards:
        iterator = streams.get_shard_iterator(StreamArn=stack.resources.report_stream_arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        count += len(streams.get_records(ShardIterator=iterator)["Records"])
    return count


def test_restoring_puts_back_every_service_the_app_writes_to(stack, provisioned):
    before = _contents(stack)
    assert _stream_records(stack) == 0
    pool = stack.resources.user_pool_id
    cognito = boto3.client("cognito-idp")

    report = stack.call("POST", REPORTS, report_body(), user="warga.ani").json_body
    assert stack.call("POST", f"{REPORTS}/{report['id']}/transitions", {"action": "verify"},
                      user="admin.kupang").status_code == 200
    stack.drain_stream()  # schedules an SLA timer, publishes lifecycle events into the notification queue
    from devstack.pollers import fire_schedules

    assert fire_schedules(stack.resources.sla_schedule_group, None) == 1  # its execution starts
    assert stack.call("POST", REPORTS, report_body(), user="warga.ani").status_code == 201
    stack.drain_stream()  # and one timer still waits as a schedule
    boto3.client("s3").put_object(Bucket=_bucket(), Key="uploads/left-behind.jpg", Body=b"x")
    boto3.client("ses").send_email(Source=_sender(), Destination={"ToAddresses": ["a@b.id"]},
                                   Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})
    cognito.admin_create_user(UserPoolId=pool, Username="warga.baru", MessageAction="SUPPRESS")
    cognito.admin_update_user_attributes(UserPoolId=pool, Username="petugas.kupang.dlh",
                                         UserAttributes=[{"Name": "custom:agency", "Value": "PUPR"}])
    cognito.admin_remove_user_from_group(UserPoolId=pool, Username="admin.kupang", GroupName="tenant_admin")
    cognito.admin_disable_user(UserPoolId=pool, Username="warga.budi")
    changed = _contents(stack)
    for kind in before:
        assert changed[kind] != before[kind], f"the test wrote no {kind}: it proves nothing about them"

    from tests.integration.sla_clock import stop_running

    stop_running(stack.resources.sla_state_machine_arn)  # as the fixture does before restoring
    assert provisioned["current"].snapshot.restore()
    assert _contents(stack) == before
    assert _stream_records(stack) == 0
    assert stack.call("GET", f"{REPORTS}/{report['id']}").status_code == 404


def test_a_change_to_the_stacks_shape_is_not_restored_but_provisioned_again(stack, provisioned):
    from chalicelib.store.models import ReportModel

    sqs = boto3.client("sqs")
    extra = sqs.create_queue(QueueName="a-tests-own-queue")["QueueUrl"]
    assert provisioned["current"].snapshot.restore()  # a test's own queue is simply removed
    assert extra not in sqs.list_queues()["QueueUrls"]

    boto3.client("dynamodb").delete_table(TableName=ReportModel.Meta.table_name)
    assert not provisioned["current"].snapshot.restore()  # a table gone: only provisioning brings it back


def test_a_schedule_group_gone_is_provisioned_again(stack, provisioned):
    boto3.client("scheduler").delete_schedule_group(Name=stack.resources.sla_schedule_group)
    assert not provisioned["current"].snapshot.restore()  # the group is the stack's shape, not its data


@pytest.mark.parametrize("turn", ["first", "second"])
def test_a_report_filed_in_one_test_is_gone_in_the_next(stack, turn):
    """Run in either order, on either worker: each sees an empty tenant and leaves one report behind."""
    assert stack.call("GET", REPORTS).json_body["items"] == []
    assert stack.call("POST", REPORTS, report_body(description=f"Laporan {turn}")).status_code == 201
