"""Moto's data, taken once the stack is provisioned and put back before every test.

Provisioning from nothing (fifteen tables, eight queues, the bucket, a user pool with 21 accounts, the
state machine, the data role) costs about a second of CPU; the suite did it before each of ~400 tests.
Tests change data, not the stack's shape, so the in-process moto server (same process as the tests)
is put back to what it held after provisioning by restoring its data directly:

- DynamoDB: every table's items, and a fresh (empty) stream shard, as after provisioning;
- S3: no objects, no multipart uploads (the snapshot must hold none: photos are a test's own doing);
- SQS: each queue's messages as they were; queues a test created are deleted;
- SNS: subscriptions a test added are removed, recorded publishes put back;
- SES: sent messages put back (tests read them from moto to see what was mailed);
- Step Functions: executions put back (the fixture stops running ones first: they are threads);
- EventBridge Scheduler: each group's schedules (SLA timers waiting for their first wake) put back;
- Cognito: the pool's users and groups (passwords, attributes, memberships, status) and its issued tokens.

Anything else about the stack's shape (tables and their indexes, queue attributes, bucket settings,
topics, state machines and their definitions, schedule groups, user pools and clients, SES identities,
IAM roles, or a
service the snapshot did not know) is compared with a fingerprint taken with the snapshot. If a test
changed it, ``restore`` says so and the caller resets moto and provisions from scratch: slow but exact.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Services whose state is restored (or fingerprinted) here, and services whose state is harmless to keep
# between tests (STS remembers the sessions it issued, DynamoDB Streams its shard iterators, moto_api
# moto's own settings).
# A test that brings another service into use makes ``restore`` refuse (a full reset follows).
_RESTORED = {"dynamodb", "s3", "sqs", "sns", "ses", "sesv2", "stepfunctions", "scheduler", "cognito-idp", "iam"}
_KEPT = {"sts", "dynamodbstreams", "moto_api"}


_generation = 0  # how many times moto was reset: a snapshot belongs to one generation of backends


def reset(endpoint: str) -> None:
    """Wipe moto (every service) through its API; snapshots taken before are void from now on."""
    import requests

    global _generation
    requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
    _generation += 1


def _regions(service: str) -> Iterator[Any]:
    """Every region backend of ``service`` that exists (moto creates them on first use)."""
    from moto.backends import get_backend

    for account in get_backend(service).values():  # type: ignore[call-overload]
        yield from account.values()


def _parser_regions() -> Iterator[Any]:
    """Step Functions with execution on keeps its machines in a second backend family."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    for account in stepfunctions_parser_backends.values():
        yield from account.values()


def _services_in_use() -> set[str]:
    from moto.core.base_backend import BackendDict

    return {b.service_name for b in BackendDict._instances if any(len(a) for a in b.values())}


def _fingerprint() -> str:
    """The stack's shape: what ``restore`` does not put back, so a change to it needs a full reset."""
    shape: dict[str, Any] = {"unknown services": sorted(_services_in_use() - _RESTORED - _KEPT)}
    shape["tables"] = {
        name: [t.schema, sorted(g.name for g in t.global_indexes), sorted(i.name for i in t.indexes),
               t.stream_specification, getattr(t, "ttl", None), t.billing_mode]
        for r in _regions("dynamodb") for name, t in r.tables.items()}
    shape["queues"] = {
        name: {k: v for k, v in q.attributes.items()  # counts change with messages; settings must not
               if not k.startswith("Approximate") and k != "LastModifiedTimestamp"}
        for r in _regions("sqs") for name, q in r.queues.items()}
    shape["buckets"] = {
        name: [b.versioning_status, b.policy, repr(b.notification_configuration and
                                                   b.notification_configuration.to_config_dict()),
               b.encryption, repr(b.public_access_block and b.public_access_block.to_config_dict()),
               len(b.rules), len(b.cors)]
        for r in _regions("s3") for name, b in r.buckets.items()}
    shape["topics"] = sorted(arn for r in _regions("sns") for arn in r.topics)
    shape["machines"] = {m.arn: m.definition for family in (_regions("stepfunctions"), _parser_regions())
                         for r in family for m in r.state_machines}
    shape["schedule groups"] = sorted(f"{id(r)}:{name}" for r in _regions("scheduler") for name in r.schedule_groups)
    shape["pools"] = {
        pool_id: [sorted(p.clients), sorted(p.groups), p.mfa_config, json.dumps(p.extended_config, default=str,
                                                                                  sort_keys=True)]
        for r in _regions("cognito-idp") for pool_id, p in r.user_pools.items()}
    shape["ses"] = sorted(i for r in _regions("ses") for i in r.email_identities)
    shape["iam"] = {name: sorted(role.policies.items()) for r in _regions("iam") for name, role in r.roles.items()}
    return json.dumps(shape, default=str, sort_keys=True)


@dataclass
class MotoSnapshot:
    """What moto holds after provisioning (and, for a module's shared seed, after seeding)."""

    fingerprint: str
    generation: int
    items: dict[tuple[int, str], Any] = field(default_factory=dict)
    messages: dict[tuple[int, str], Any] = field(default_factory=dict)
    subscriptions: dict[int, list[str]] = field(default_factory=dict)
    notifications: dict[tuple[int, str], list[Any]] = field(default_factory=dict)
    sent: dict[int, Any] = field(default_factory=dict)
    executions: dict[tuple[int, str], list[Any]] = field(default_factory=dict)
    schedules: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    pools: dict[tuple[int, str], Any] = field(default_factory=dict)

    @classmethod
    def take(cls) -> MotoSnapshot:
        """Record moto's data. No execution may be RUNNING (threads cannot be copied) and no object stored."""
        taken = cls(_fingerprint(), _generation)
        for r in _regions("dynamodb"):
            for name, table in r.tables.items():
                taken.items[(id(r), name)] = copy.deepcopy(table.items)
        for r in _regions("s3"):
            for name, bucket in r.buckets.items():
                if len(bucket.keys) or len(bucket.multiparts):
                    raise ValueError(f"a snapshot holds no S3 objects, and {name} has some")
        for r in _regions("sqs"):
            for name, queue in r.queues.items():
                taken.messages[(id(r), name)] = copy.deepcopy(
                    (queue._messages, queue._pending_messages, queue.deleted_messages))
        for r in _regions("sns"):
            taken.subscriptions[id(r)] = list(r.subscriptions)
            for arn, topic in r.topics.items():
                taken.notifications[(id(r), arn)] = list(topic.sent_notifications)
        for r in _regions("ses"):
            taken.sent[id(r)] = (list(r.sent_messages), r.sent_message_count, r.rejected_messages_count)
        for family in (_regions("stepfunctions"), _parser_regions()):
            for r in family:
                for machine in r.state_machines:
                    _until_none_runs(machine)
                    taken.executions[(id(r), machine.arn)] = list(machine.executions)
        for r in _regions("scheduler"):
            for name, group in r.schedule_groups.items():
                taken.schedules[(id(r), name)] = copy.deepcopy(group.schedules)
        for r in _regions("cognito-idp"):
            for pool_id, pool in r.user_pools.items():
                taken.pools[(id(r), pool_id)] = copy.deepcopy(
                    (pool.users, pool.groups, pool.refresh_tokens, pool.access_tokens, pool.id_tokens))
        return taken

    def restore(self) -> bool:
        """Put the data back; False (and nothing done) if the stack's shape changed: reset and provision then."""
        if self.generation != _generation:
            return False
        _forget_extra_queues_and_subscriptions(self)
        if _fingerprint() != self.fingerprint:
            return False
        from moto.dynamodb.models.table import StreamShard

        for r in _regions("dynamodb"):
            for name, table in r.tables.items():
                table.items = copy.deepcopy(self.items[(id(r), name)])
                if table.stream_shard is not None:  # the stream starts empty, as the table's data did
                    table.stream_shard = StreamShard(table.account_id, table)
        for r in _regions("s3"):
            for bucket in r.buckets.values():
                for versions in list(bucket.keys.lists()):
                    for key in versions[1]:
                        key.dispose()
                bucket.keys.clear()
                for upload in list(bucket.multiparts):
                    del bucket.multiparts[upload]  # MultipartDict disposes of the part files
        _forget_model_instances()
        for r in _regions("sqs"):
            for name, queue in r.queues.items():
                with queue._messages_lock:
                    queue._messages, queue._pending_messages, queue.deleted_messages = copy.deepcopy(
                        self.messages[(id(r), name)])
                    queue.last_purged_at = None
        for r in _regions("sns"):
            for arn, topic in r.topics.items():
                topic.sent_notifications = list(self.notifications[(id(r), arn)])
        for r in _regions("ses"):
            sent, count, rejected = self.sent[id(r)]
            r.sent_messages, r.sent_message_count, r.rejected_messages_count = list(sent), count, rejected
        for family in (_regions("stepfunctions"), _parser_regions()):
            for r in family:
                for machine in r.state_machines:
                    machine.executions = list(self.executions[(id(r), machine.arn)])
        for r in _regions("scheduler"):
            for name, group in r.schedule_groups.items():
                group.schedules = copy.deepcopy(self.schedules[(id(r), name)])
        for r in _regions("cognito-idp"):
            for pool_id, pool in r.user_pools.items():
                (pool.users, pool.groups, pool.refresh_tokens, pool.access_tokens,
                 pool.id_tokens) = copy.deepcopy(self.pools[(id(r), pool_id)])
        return True


def _forget_model_instances() -> None:
    """As moto's reset does: close every S3 object's file (overwritten versions and copies too), and drop
    the list of every model instance moto keeps for its dashboard, which would otherwise grow all session."""
    from moto.core.model_instances import reset_model_data
    from moto.s3.models import FakeKey, FakeMultipart

    for upload in FakeMultipart.instances_tracked:  # type: ignore[attr-defined]
        upload.dispose()
    for key in FakeKey.instances_tracked:  # type: ignore[attr-defined]
        key.dispose()
    reset_model_data()


def _until_none_runs(machine: Any, timeout: float = 10.0) -> None:
    """Stopped executions turn ABORTED when their thread notices, a moment after StopExecution answers."""
    import time

    deadline = time.monotonic() + timeout
    while running := [e.execution_arn for e in machine.executions if e.status == "RUNNING"]:
        if time.monotonic() > deadline:
            raise ValueError(f"a snapshot holds no running execution, and {running} still run")
        time.sleep(0.01)


def _forget_extra_queues_and_subscriptions(snapshot: MotoSnapshot) -> None:
    """Queues a test made (say, to listen to the lifecycle topic) and their subscriptions go away."""
    known_queues = {name for r, name in snapshot.messages}
    for r in _regions("sqs"):
        for name in [n for n in r.queues if n not in known_queues]:
            del r.queues[name]
    for r in _regions("sns"):
        known = set(snapshot.subscriptions.get(id(r), []))
        for arn in [a for a in r.subscriptions if a not in known]:
            del r.subscriptions[arn]
