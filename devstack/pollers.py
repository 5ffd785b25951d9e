"""Stand-ins for Lambda event source mappings (poll a queue or a table stream, call the same handler)
and for EventBridge Scheduler firing one-time schedules (moto stores schedules but never fires them).

Both honour partial batch failures as Lambda does: for a queue the failed messages come back after
their visibility timeout; for a stream the batch is handed again from the first failed record, and a
record that keeps failing is given up after ``MAX_STREAM_ATTEMPTS`` (Lambda's maximum retry attempts
and on-failure destination play that part in the cloud).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3

MAX_STREAM_ATTEMPTS = 5
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_START_EXECUTION = "arn:aws:scheduler:::aws-sdk:sfn:startExecution"


def schedule_time(expression: str) -> datetime:
    """The moment of a one-time ``at(...)`` schedule (the app writes them in UTC)."""
    found = _AT.match(expression)
    if not found:
        raise ValueError(f"not a one-time schedule: {expression!r}")
    return datetime.strptime(found.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


def fire_schedules(group: str, due_by: datetime | None, region: str | None = None) -> int:
    """Fire the group's schedules due at or before ``due_by`` (all of them if None), as Scheduler would.

    Each target is the universal ``sfn:startExecution`` the SLA timers use: StartExecution with the
    schedule's input (an execution already there is fine: the timer started it directly). Then the
    schedule is deleted (``ActionAfterCompletion=DELETE``). Returns how many fired.
    """
    from botocore.exceptions import ClientError

    scheduler = boto3.client("scheduler", region_name=region)
    sfn = boto3.client("stepfunctions", region_name=region)
    fired = 0
    for page in scheduler.get_paginator("list_schedules").paginate(GroupName=group):
        for summary in page["Schedules"]:
            try:
                schedule = scheduler.get_schedule(GroupName=group, Name=summary["Name"])
            except ClientError:
                continue  # deleted meanwhile (the timer was stopped)
            if due_by is not None and schedule_time(schedule["ScheduleExpression"]) > due_by:
                continue
            target = schedule["Target"]
            if target["Arn"] != _START_EXECUTION:
                raise ValueError(f"no local stand-in for the schedule target {target['Arn']}")
            call = json.loads(target["Input"])
            try:
                sfn.start_execution(stateMachineArn=call["StateMachineArn"], name=call["Name"], input=call["Input"])
            except ClientError as err:
                if err.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
                    raise
            try:
                scheduler.delete_schedule(GroupName=group, Name=summary["Name"])
            except ClientError:
                pass  # deleted meanwhile: the stop came just as it fired, which AWS allows too
            fired += 1
    return fired


class _Context:
    """The parts of a Lambda context our handlers read."""

    function_name = "aduan-dev-local"
    aws_request_id = "local"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:aduan-dev-local"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 60_000


def poll_once(queue_url: str, queue_arn: str, handler: Callable[[dict[str, Any], Any], Any],
              wait_seconds: int = 0, region: str | None = None) -> int:
    """One receive-invoke-delete round, honouring partial batch failures. Returns messages handled."""
    sqs = boto3.client("sqs", region_name=region)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds,
                                   AttributeNames=["All"]).get("Messages", [])
    if not messages:
        return 0
    event = {"Records": [{
        "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
        "attributes": m.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": m.get("MD5OfBody", ""),
        "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": sqs.meta.region_name,
    } for m in messages]}
    try:
        result = handler(event, _Context())
        failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
    except Exception:
        failed = {m["MessageId"] for m in messages}  # like Lambda: the whole batch comes back
    done = [m for m in messages if m["MessageId"] not in failed]
    if done:
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
    return len(messages)


class StreamPoller:
    """Reads a DynamoDB stream shard by shard from the start, as a Lambda event source mapping would."""

    def __init__(self, stream_arn: str, handler: Callable[[dict[str, Any], Any], Any], region: str | None = None,
                 batch_size: int = 100) -> None:
        self.stream_arn = stream_arn
        self.handler = handler
        self.region = region
        self.batch_size = batch_size
        self._iterators: dict[str, str | None] = {}
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._attempts: dict[str, int] = {}

    def _client(self) -> Any:
        return boto3.client("dynamodbstreams", region_name=self.region)

    def _discover(self, streams: Any) -> None:
        shards = streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"].get("Shards", [])
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                self._iterators[shard_id] = streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

    def _lambda_record(self, record: dict[str, Any], region: str) -> dict[str, Any]:
        change = dict(record["dynamodb"])
        created = change.get("ApproximateCreationDateTime")
        if hasattr(created, "timestamp"):
            change["ApproximateCreationDateTime"] = created.timestamp()
        return {"eventID": record.get("eventID"), "eventName": record.get("eventName"), "eventVersion": "1.1",
                "eventSource": "aws:dynamodb", "awsRegion": region, "dynamodb": change,
                "eventSourceARN": self.stream_arn}

    def poll_once(self) -> int:
        """One round over every shard; returns how many records were handled (successfully or given up)."""
        streams = self._client()
        self._discover(streams)
        handled = 0
        for shard_id, iterator in list(self._iterators.items()):
            records = self._pending.pop(shard_id, None)
            if not records:
                if iterator is None:
                    continue
                page = streams.get_records(ShardIterator=iterator, Limit=self.batch_size)
                self._iterators[shard_id] = page.get("NextShardIterator")
                records = [self._lambda_record(r, streams.meta.region_name) for r in page.get("Records", [])]
            if not records:
                continue
            try:
                result = self.handler({"Records": records}, _Context())
                failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
            except Exception:
                failed = {r["dynamodb"].get("SequenceNumber") for r in records}
            first = next((i for i, r in enumerate(records) if r["dynamodb"].get("SequenceNumber") in failed), None)
            if first is None:
                handled += len(records)
                continue
            handled += first
            stuck = str(records[first]["dynamodb"].get("SequenceNumber"))
            self._attempts[stuck] = self._attempts.get(stuck, 0) + 1
            if self._attempts[stuck] >= MAX_STREAM_ATTEMPTS:
                handled += 1  # given up, as Lambda would after its retries: the rest goes on
                self._pending[shard_id] = records[first + 1:]
            else:
                self._pending[shard_id] = records[first:]
        return handled

    def has_pending(self) -> bool:
        return any(self._pending.values())
