"""The open data export job in the packaged template: its queue, dead letters, time and least privilege."""

from __future__ import annotations

import pytest

from tests.infra.test_template import (
    LOGS,
    QUEUE_CONSUMER,
    granted,
    role_of,
    sqs_consumer,
    table_id_for_model,
    target,
    told,
)

pytestmark = pytest.mark.slow


def test_export_jobs_run_in_their_own_function_fed_by_their_own_queue(packaged):
    template = packaged.template
    _, function, event = sqs_consumer(template, "export_reports")
    assert target(event["Queue"]) == told(template, function, "EXPORT_QUEUE_URL")
    assert function["Properties"]["Timeout"] == 900  # a year of a big city's reports takes minutes, not seconds
    assert event.get("BatchSize") == 1  # one job per invocation: each gets the whole 15 minutes


def test_the_export_job_reads_the_public_index_and_writes_only_export_files(packaged):
    from chalicelib.store.models import ExportJobModel, TenantModel

    template = packaged.template
    _, function, _ = sqs_consumer(template, "export_reports")
    _, role = role_of(template, function)
    allowed = granted(role)
    assert set(allowed) == LOGS | QUEUE_CONSUMER | {"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query",
                                                    "s3:PutObject", "s3:AbortMultipartUpload"}
    jobs = table_id_for_model(template, ExportJobModel)
    assert sorted(target(r) for r in allowed["dynamodb:GetItem"]) == sorted([jobs, table_id_for_model(
        template, TenantModel)])
    assert [target(r) for r in allowed["dynamodb:UpdateItem"]] == [jobs]
    # Only the sparse public index: confidential reports are not in it, so the job cannot read them at all.
    assert allowed["dynamodb:Query"] == [{"Fn::Sub": "${ReportsTable.Arn}/index/public_feed"}]
    assert allowed["s3:PutObject"] == allowed["s3:AbortMultipartUpload"] == [
        {"Fn::Sub": "${PhotoBucket.Arn}/exports/*"}]


def test_the_api_may_start_export_jobs_and_link_to_their_files_only(packaged):
    from chalicelib.store.models import ExportJobModel

    template = packaged.template
    _, role = role_of(template, template["Resources"]["APIHandler"])
    allowed = granted(role)
    assert [target(r) for r in allowed["sqs:SendMessage"]] == ["ExportQueue"]
    assert {"Fn::Sub": "${PhotoBucket.Arn}/exports/*"} in allowed["s3:GetObject"]
    jobs = table_id_for_model(template, ExportJobModel)
    assert {a for a, on in allowed.items() if any(target(r) == jobs for r in on)} == {
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}


def test_export_files_expire_and_abandoned_uploads_are_cleaned_up(packaged):
    bucket = packaged.template["Resources"]["PhotoBucket"]["Properties"]
    (rule,) = [r for r in bucket["LifecycleConfiguration"]["Rules"] if r.get("Prefix") == "exports/"]
    assert rule["Status"] == "Enabled" and rule["ExpirationInDays"] <= 7
    assert rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
    notified = [q["Filter"]["S3Key"]["Rules"] for q in bucket["NotificationConfiguration"]["QueueConfigurations"]]
    # The photo processor never sees an export file.
    assert all(rules == [{"Name": "prefix", "Value": "uploads/"}] for rules in notified)
