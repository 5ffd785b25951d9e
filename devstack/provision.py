"""Create every table, the bucket, the queues and the user pool the app needs, on a moto endpoint.

Tables come from the PynamoDB models themselves (the packaged template is tested against the same
models), so local and cloud cannot drift.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import boto3

from chalicelib.config import get_settings

STAFF_GROUPS = ("officer", "supervisor", "tenant_admin", "platform_admin")


@dataclass
class Resources:
    user_pool_id: str
    user_pool_client_id: str
    upload_queue_url: str
    upload_queue_arn: str
    upload_dlq_url: str
    report_stream_arn: str = ""
    lifecycle_topic_arn: str = ""
    sla_state_machine_arn: str = ""
    sla_schedule_group: str = ""
    sla_scheduler_role_arn: str = ""
    notification_queue_url: str = ""
    notification_queue_arn: str = ""
    notification_dlq_url: str = ""
    delivery_queue_url: str = ""
    delivery_queue_arn: str = ""
    delivery_dlq_url: str = ""
    tenant_data_role_arn: str = ""
    export_queue_url: str = ""
    export_queue_arn: str = ""
    export_dlq_url: str = ""

    def environment(self) -> dict[str, str]:
        """What the app's settings read, pointing at these resources."""
        return {
            "USER_POOL_ID": self.user_pool_id,
            "USER_POOL_CLIENT_ID": self.user_pool_client_id,
            "PHOTO_UPLOAD_QUEUE_ARN": self.upload_queue_arn,
            "REPORT_STREAM_ARN": self.report_stream_arn,
            "LIFECYCLE_TOPIC_ARN": self.lifecycle_topic_arn,
            "SLA_STATE_MACHINE_ARN": self.sla_state_machine_arn,
            "SLA_SCHEDULE_GROUP": self.sla_schedule_group,
            "SLA_SCHEDULER_ROLE_ARN": self.sla_scheduler_role_arn,
            "NOTIFICATION_QUEUE_ARN": self.notification_queue_arn,
            "DELIVERY_QUEUE_URL": self.delivery_queue_url,
            "DELIVERY_QUEUE_ARN": self.delivery_queue_arn,
            "TENANT_DATA_ROLE_ARN": self.tenant_data_role_arn,
            "EXPORT_QUEUE_URL": self.export_queue_url,
            "EXPORT_QUEUE_ARN": self.export_queue_arn,
        }


def _tables() -> None:
    from chalicelib.store.models import ALL_MODELS

    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(wait=False, billing_mode="PAY_PER_REQUEST")
    for model in ALL_MODELS:  # PynamoDB's own wait sleeps far longer than moto needs
        for _ in range(100):
            if model.describe_table().get("TableStatus") == "ACTIVE":
                break
            time.sleep(0.05)


def _queues(sqs: Any, stage: str) -> tuple[str, str, str]:
    dlq_url = sqs.create_queue(QueueName=f"aduan-{stage}-photo-uploads-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=f"aduan-{stage}-photo-uploads", Attributes={
        # As in infra/resources.json: six times the processor's timeout, five tries before the DLQ.
        "VisibilityTimeout": "360",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}),
    })["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn, dlq_url


def _bucket(s3: Any, bucket: str, region: str, queue_arn: str) -> None:
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"],
                                 "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"}]}}}]})


def _user_pool(cognito: Any, stage: str) -> tuple[str, str]:
    name = f"aduan-{stage}-users"
    pools = [p for p in cognito.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == name]
    if pools:
        pool_id = pools[0]["Id"]
    else:
        pool_id = cognito.create_user_pool(
            PoolName=name,
            Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireUppercase": True, "RequireLowercase": True,
                                         "RequireNumbers": True, "RequireSymbols": False}},
            Schema=[
                {"Name": "tenant", "AttributeDataType": "String", "Mutable": True},
                {"Name": "agency", "AttributeDataType": "String", "Mutable": True},
            ],
        )["UserPool"]["Id"]
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    if clients:
        client_id = clients[0]["ClientId"]
    else:
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName="aduan-mobile", GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
            # Users must never rewrite their own tenant or agency (that would make them staff elsewhere).
            ReadAttributes=["email", "email_verified", "name", "custom:tenant", "custom:agency"],
            WriteAttributes=["email", "name"],
        )["UserPoolClient"]["ClientId"]
    existing = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    for group in STAFF_GROUPS:
        if group not in existing:
            cognito.create_group(UserPoolId=pool_id, GroupName=group)
    return pool_id, client_id


def _report_stream() -> str:
    from chalicelib.store.models import ReportModel

    return str(ReportModel.describe_table().get("LatestStreamArn", ""))


def _lifecycle(session: Any, stage: str, resources: Resources) -> None:
    """The lifecycle SNS topic and the SLA state machine, from infra/statemachines/sla.asl.json.

    An existing machine gets the current definition, so a running devstack picks up an edited file
    on the next provisioning.
    """
    from devstack.statemachines import sla_definition_for

    settings = get_settings()
    topic_arn = session.client("sns").create_topic(Name=f"aduan-{stage}-lifecycle")["TopicArn"]
    definition = sla_definition_for(reports_table=settings.reports_table,
                                    report_events_table=settings.report_events_table,
                                    lifecycle_topic_arn=topic_arn)
    sfn = session.client("stepfunctions")
    name = f"aduan-{stage}-sla"
    existing = [m["stateMachineArn"] for page in sfn.get_paginator("list_state_machines").paginate()
                for m in page["stateMachines"] if m["name"] == name]
    if existing:
        machine_arn = existing[0]
        sfn.update_state_machine(stateMachineArn=machine_arn, definition=definition)
    else:
        account = topic_arn.split(":")[4]
        # moto does not check the role; in the cloud it is SlaStateMachineRole in infra/resources.json.
        machine_arn = sfn.create_state_machine(
            name=name, type="STANDARD", definition=definition,
            roleArn=f"arn:aws:iam::{account}:role/aduan-{stage}-sla")["stateMachineArn"]
    resources.lifecycle_topic_arn = topic_arn
    resources.sla_state_machine_arn = machine_arn
    _sla_schedules(session, stage, resources, account=topic_arn.split(":")[4])


def _sla_schedules(session: Any, stage: str, resources: Resources, account: str) -> None:
    """The schedule group that holds SLA timers until their first wake (adapters/timers.py).

    moto stores schedules but never fires them: devstack/pollers.py ``fire_due_schedules`` does, and
    neither checks the role (in the cloud: SlaSchedulerRole in infra/resources.json).
    """
    from botocore.exceptions import ClientError

    group = f"aduan-{stage}-sla"
    scheduler = session.client("scheduler")
    try:
        scheduler.get_schedule_group(Name=group)  # asked first: moto's create replaces a group and its schedules
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        scheduler.create_schedule_group(Name=group)
    resources.sla_schedule_group = group
    resources.sla_scheduler_role_arn = f"arn:aws:iam::{account}:role/aduan-{stage}-sla-scheduler"


def _queue_with_dlq(sqs: Any, name: str, visibility_seconds: int) -> tuple[str, str, str]:
    """A queue whose messages go to ``<name>-dlq`` after five receives: (url, arn, dlq url)."""
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=name, Attributes={
        "VisibilityTimeout": str(visibility_seconds),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}),
    })["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn, dlq_url


def _notifications(session: Any, stage: str, resources: Resources) -> None:
    """The notification and delivery queues, the first subscribed to the lifecycle topic; the email sender."""
    sqs, sns = session.client("sqs"), session.client("sns")
    if not resources.lifecycle_topic_arn:  # until _lifecycle creates it (create_topic is idempotent)
        resources.lifecycle_topic_arn = sns.create_topic(Name=f"aduan-{stage}-lifecycle")["TopicArn"]
    # Visibility six times a 60 s (notify) and 30 s (deliver) function timeout; five receives, then the DLQ.
    url, arn, dlq_url = _queue_with_dlq(sqs, f"aduan-{stage}-notifications", 360)
    resources.notification_queue_url, resources.notification_queue_arn = url, arn
    resources.notification_dlq_url = dlq_url
    url, arn, dlq_url = _queue_with_dlq(sqs, f"aduan-{stage}-deliveries", 180)
    resources.delivery_queue_url, resources.delivery_queue_arn, resources.delivery_dlq_url = url, arn, dlq_url

    # As in AWS: the topic may send to the queue only because the queue's policy says so.
    topic, queue = resources.lifecycle_topic_arn, resources.notification_queue_arn
    sqs.set_queue_attributes(QueueUrl=resources.notification_queue_url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "LifecycleTopic", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                       "Action": "sqs:SendMessage", "Resource": queue,
                       "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}],
    })})
    subscribed = {s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]}
    if queue not in subscribed:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, ReturnSubscriptionArn=True,
                      Attributes={"RawMessageDelivery": "true"})

    session.client("ses").verify_email_identity(EmailAddress=get_settings().email_sender)
    _ttl(session.client("dynamodb"), get_settings().notifications_table, "expires")
    _ttl(session.client("dynamodb"), get_settings().usage_table, "expires")
    _ttl(session.client("dynamodb"), get_settings().stats_table, "expires")
    _ttl(session.client("dynamodb"), get_settings().community_table, "expires")  # comments' key claims


def _exports(session: Any, stage: str, resources: Resources) -> None:
    """The export jobs' queue (visibility six times the job's 900 s timeout, as in infra/resources.json)."""
    url, arn, dlq_url = _queue_with_dlq(session.client("sqs"), f"aduan-{stage}-exports", 5400)
    resources.export_queue_url, resources.export_queue_arn, resources.export_dlq_url = url, arn, dlq_url
    _ttl(session.client("dynamodb"), get_settings().exports_table, "expires")


def _tenant_data_role(iam: Any, stage: str, region: str) -> str:
    """The data role of infra/resources.json with its tenant-scoped policy, tables named for this stage.

    moto lets the API assume it (so requests are really signed with a tenant session's keys) but does not
    evaluate its conditions; tests evaluate them (tests/iam_policy.py).
    """
    from pathlib import Path

    name = f"aduan-{stage}-tenant-data"
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        pass
    template = json.loads((Path(__file__).resolve().parents[1] / "infra" / "resources.json").read_text("utf-8"))
    role = template["Resources"]["TenantDataRole"]["Properties"]
    account = "123456789012"  # moto's account: keys issued for this role reach the same tables

    def table_arn(logical: str) -> str:
        table = template["Resources"][logical]["Properties"]["TableName"]["Fn::Sub"]
        return f"arn:aws:dynamodb:{region}:{account}:table/" + table.replace("${AWS::StackName}", f"aduan-{stage}")

    def resolve(resource: Any) -> str:
        if "Fn::GetAtt" in resource:
            return table_arn(resource["Fn::GetAtt"][0])
        logical, _, rest = resource["Fn::Sub"].removeprefix("${").partition(".Arn}")
        return table_arn(logical) + rest

    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": account},
                                                      "Action": ["sts:AssumeRole", "sts:TagSession"]}]}
    arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust),
                              MaxSessionDuration=role["MaxSessionDuration"])["Role"]["Arn"])
    for policy in role["Policies"]:
        document = json.loads(json.dumps(policy["PolicyDocument"]))
        for statement in document["Statement"]:
            statement["Resource"] = [resolve(r) for r in statement["Resource"]]
        iam.put_role_policy(RoleName=name, PolicyName=policy["PolicyName"], PolicyDocument=json.dumps(document))
    return arn


def _ttl(dynamodb: Any, table: str, attribute: str) -> None:
    current = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    if current.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        dynamodb.update_time_to_live(TableName=table,
                                     TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute})


def provision(stage: str = "dev") -> Resources:
    """Idempotent: running it twice against the same endpoint changes nothing."""
    settings = get_settings()
    session = boto3.session.Session(region_name=settings.region)
    _tables()
    url, arn, dlq_url = _queues(session.client("sqs"), stage)
    _bucket(session.client("s3"), settings.photo_bucket, settings.region, arn)
    pool_id, client_id = _user_pool(session.client("cognito-idp"), stage)
    resources = Resources(pool_id, client_id, url, arn, dlq_url, report_stream_arn=_report_stream())
    _lifecycle(session, stage, resources)
    _notifications(session, stage, resources)
    _exports(session, stage, resources)
    resources.tenant_data_role_arn = _tenant_data_role(session.client("iam"), stage, settings.region)
    return resources
