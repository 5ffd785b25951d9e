"""The packaged CloudFormation template (chalice package + infra/resources.json), checked as product rules.

The expected shapes come from the code they must serve: tables from the PynamoDB models, groups from
the local provisioning, problem codes from chalicelib.errors, never from a copy of the template.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import fields
from typing import Any

import pytest

pytestmark = pytest.mark.slow

REGION = "ap-southeast-3"
# Every function needs these to find its resources; ADUAN_STAGE comes from .chalice/config.json.
REQUIRED_ENVIRONMENT = ("TENANTS_TABLE", "REPORTS_TABLE", "TRACKING_CODES_TABLE", "IDEMPOTENCY_TABLE", "PHOTO_BUCKET",
                        "USER_POOL_ID", "USER_POOL_CLIENT_ID", "ADUAN_STAGE", "REPORT_EVENTS_TABLE",
                        "NOTIFICATIONS_TABLE", "AREAS_TABLE", "LIFECYCLE_TOPIC_ARN", "SLA_STATE_MACHINE_ARN",
                        "DELIVERY_QUEUE_URL")
# "*" or "service:*": every action, or every action of a service.
WILDCARD = re.compile(r"^(\*|[a-z0-9-]+:\*)$", re.IGNORECASE)


# -- helpers ------------------------------------------------------------------------------------


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r.get("Type") == kind}


def target(value: Any) -> str | None:
    """The logical id a Ref or Fn::GetAtt points at."""
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        att = value["Fn::GetAtt"]
        return str(att[0] if isinstance(att, list) else att.split(".")[0])
    return None


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = of_type(template, "AWS::Serverless::Function")
    assert found, "no functions in the template"
    return found


def handler(template: dict[str, Any], name: str) -> tuple[str, dict[str, Any]]:
    """(logical id, function) of the app.py handler ``name``."""
    found = [(n, f) for n, f in functions(template).items() if f["Properties"]["Handler"] == f"app.{name}"]
    assert len(found) == 1, f"no single function runs app.{name}"
    return found[0]


def event_source(template: dict[str, Any], name: str, kind: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(logical id, function, properties of its one ``kind`` event) of the app.py handler ``name``."""
    logical, function = handler(template, name)
    events = [e["Properties"] for e in function["Properties"].get("Events", {}).values() if e.get("Type") == kind]
    assert len(events) == 1, f"app.{name} must have exactly one {kind} event source"
    return logical, function, events[0]


def sqs_consumer(template: dict[str, Any], name: str = "process_photo_uploads") -> tuple[
        str, dict[str, Any], dict[str, Any]]:
    """(function name, function, its SQS event properties); by default the photo upload processor."""
    return event_source(template, name, "SQS")


def walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}/{i}")


def statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every IAM policy statement anywhere in the template: roles, trust policies, bucket and queue policies."""
    found = []
    for path, node in walk(template["Resources"]):
        if isinstance(node, dict) and "Statement" in node and ("Version" in node or path.endswith("Document")):
            listed = node["Statement"] if isinstance(node["Statement"], list) else [node["Statement"]]
            found.extend((path, s) for s in listed)
    return found


def actions(statement: dict[str, Any]) -> list[str]:
    raw = statement.get("Action", statement.get("NotAction", []))
    return [raw] if isinstance(raw, str) else list(raw)


def role_of(template: dict[str, Any], function: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name = target(function["Properties"]["Role"])
    assert name is not None, "a function's role must be created in this template"
    return name, template["Resources"][name]


def granted(role: dict[str, Any]) -> dict[str, list[Any]]:
    """action -> the resources it is allowed on, over every inline policy of the role."""
    result: dict[str, list[Any]] = {}
    for policy in role["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Allow":
                on = statement["Resource"]
                resources = on if isinstance(on, list) else [on]
                for action in actions(statement):
                    result.setdefault(action, []).extend(resources)
    return result


def table_id_for_model(template: dict[str, Any], model: Any) -> str:
    """The logical id of the table a function is told to use for this model (through its environment)."""
    from chalicelib.config import get_settings

    settings = get_settings()
    variables = [f.name.upper() for f in fields(settings)
                 if f.name.endswith("_table") and getattr(settings, f.name) == model.Meta.table_name]
    assert len(variables) == 1, f"{model.__name__}: no settings field names its table"
    api = functions(template)["APIHandler"]["Properties"]["Environment"]["Variables"]
    name = target(api.get(variables[0]))
    assert name is not None, f"{variables[0]} must reference a table created in the template"
    resource = template["Resources"][name]
    assert resource["Type"] == "AWS::DynamoDB::Table", f"{variables[0]} points at a {resource['Type']}"
    return name


def table_for_model(template: dict[str, Any], model: Any) -> dict[str, Any]:
    return dict(template["Resources"][table_id_for_model(template, model)]["Properties"])


def told(template: dict[str, Any], function: dict[str, Any], variable: str) -> str:
    """The logical id of the resource a function's environment variable names."""
    name = target(function["Properties"]["Environment"]["Variables"][variable])
    assert name in template["Resources"], f"{variable} must reference a resource in the stack"
    return name


def targets(grants: dict[str, list[Any]]) -> dict[str, list[str | None]]:
    """action -> the logical ids it is allowed on (None for anything but a plain Ref or GetAtt)."""
    return {action: sorted((target(r) for r in on), key=str) for action, on in grants.items()}


def problem_body(body_template: str) -> dict[str, Any]:
    """A gateway response body as a client would see it ($context values substituted)."""
    parsed: dict[str, Any] = json.loads(re.sub(r"\$context\.[A-Za-z.]+", "x", body_template))
    return parsed


# -- the packaged template ------------------------------------------------------------------------


def test_packaged_template_passes_cfn_lint(packaged):
    # Linted for the region we deploy to, so a resource type Jakarta lacks would be reported too.
    result = subprocess.run(  # noqa: S603 (our interpreter, our file)
        [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
         "--regions", REGION, "--", str(packaged.template_path)],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_arn_is_built_from_the_stack_not_hard_coded(packaged):
    # A literal ARN would be a placeholder that leaked (chalice's queue ARN, the .chalice policy file).
    # Step Functions service integrations ("arn:aws:states:::dynamodb:getItem") name an API, not a resource.
    literal = [(path, node) for path, node in walk(packaged.template)
               if isinstance(node, str) and node.startswith("arn:aws") and not node.startswith("arn:aws:states:::")]
    assert literal == []


# -- data -------------------------------------------------------------------------------------------


def test_tables_match_the_pynamodb_models(packaged):
    # The schema PynamoDB's create_table sends: what provisioning creates locally and the code queries.
    from chalicelib.store.models import ALL_MODELS

    for model in ALL_MODELS:
        expected = model._get_schema()
        table = table_for_model(packaged.template, model)
        name = model.__name__

        assert table["BillingMode"] == "PAY_PER_REQUEST", name
        assert {(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]} == \
            {(k["AttributeName"], k["KeyType"]) for k in expected["key_schema"]}, name
        assert {(a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]} == \
            {(a["AttributeName"], a["AttributeType"]) for a in expected["attribute_definitions"]}, name

        indexes = {i["IndexName"]: i for i in table.get("GlobalSecondaryIndexes", [])}
        assert set(indexes) == {i["index_name"] for i in expected["global_secondary_indexes"]}, name
        for index in expected["global_secondary_indexes"]:
            actual = indexes[index["index_name"]]
            assert {(k["AttributeName"], k["KeyType"]) for k in actual["KeySchema"]} == \
                {(k["AttributeName"], k["KeyType"]) for k in index["key_schema"]}, index["index_name"]
            assert actual["Projection"]["ProjectionType"] == index["projection"]["ProjectionType"]
            assert sorted(actual["Projection"].get("NonKeyAttributes", [])) == \
                sorted(index["projection"].get("NonKeyAttributes", [])), index["index_name"]
            assert "ProvisionedThroughput" not in actual
        assert len(table.get("LocalSecondaryIndexes", [])) == len(expected["local_secondary_indexes"]), name


def test_tables_are_encrypted_and_recoverable(packaged):
    from chalicelib.store.models import ALL_MODELS

    tables = of_type(packaged.template, "AWS::DynamoDB::Table")
    assert len(tables) == len(ALL_MODELS)
    for name, table in tables.items():
        props = table["Properties"]
        assert props.get("SSESpecification", {}).get("SSEEnabled") is True, name
        assert props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled") is True, name


def test_report_changes_stream_old_and_new_images(packaged):
    from chalicelib.store.models import ReportModel

    stream = table_for_model(packaged.template, ReportModel).get("StreamSpecification", {})
    assert stream.get("StreamViewType") == "NEW_AND_OLD_IMAGES"


def test_idempotency_records_expire_by_ttl(packaged):
    from chalicelib.store.models import IdempotencyModel

    assert "expiration" in IdempotencyModel.get_attributes()  # Powertools' default expiry attribute
    ttl = table_for_model(packaged.template, IdempotencyModel).get("TimeToLiveSpecification", {})
    assert ttl == {"AttributeName": "expiration", "Enabled": True}


def test_notifications_expire_by_ttl(packaged):
    from chalicelib.store.models import NotificationModel

    assert "expires" in NotificationModel.get_attributes()
    ttl = table_for_model(packaged.template, NotificationModel).get("TimeToLiveSpecification", {})
    assert ttl == {"AttributeName": "expires", "Enabled": True}


# Functions that compute on their input alone (the check of uploaded outlines): told of no resource.
PURE_FUNCTIONS = {"CheckGeometries"}


def test_every_function_is_told_where_its_resources_are(packaged):
    resources = packaged.template["Resources"]
    for name, function in functions(packaged.template).items():
        variables = function["Properties"]["Environment"]["Variables"]
        if name in PURE_FUNCTIONS:
            assert not any(target(v) for v in variables.values()), variables
            continue
        missing = [v for v in REQUIRED_ENVIRONMENT if v not in variables]
        assert missing == [], f"{name} lacks {missing}"
        for variable in REQUIRED_ENVIRONMENT:
            value = variables[variable]
            if variable == "ADUAN_STAGE":
                assert value == "prod"
            else:
                assert target(value) in resources, f"{name}.{variable} must reference a resource in the stack"


# -- least privilege ----------------------------------------------------------------------------------


def test_no_iam_statement_grants_a_wildcard_action(packaged):
    found = statements(packaged.template)
    assert len(found) >= 5  # roles, trust policies, bucket and queue policies were all seen
    for path, statement in found:
        assert "NotAction" not in statement or statement["Effect"] == "Deny", path
        wild = [a for a in actions(statement) if WILDCARD.match(a)]
        if statement["Effect"] == "Allow":
            assert wild == [], f"{path} grants {wild}"
        else:
            # Denying every action is the point of a guard such as "no plain-HTTP access to the bucket";
            # a Deny with a wildcard must be conditional, so it can never lock out the whole service.
            assert not wild or statement.get("Condition"), f"{path} denies {wild} unconditionally"


def test_every_iam_action_is_a_real_permission(packaged):
    # cfn-lint's own IAM check (W3037) is skipped for SAM templates, so run its data over every statement.
    from cfnlint.data import AdditionalSpecs
    from cfnlint.helpers import load_resource

    known = load_resource(AdditionalSpecs, "Policies.json")
    for path, statement in statements(packaged.template):
        for action in actions(statement):
            if WILDCARD.match(action):
                continue
            service, _, permission = action.partition(":")
            permissions = {p.lower() for p in known[service.lower()]["Actions"]}
            assert permission.lower() in permissions, f"{path}: {action} is not an IAM permission"


def test_each_function_runs_under_its_own_role_written_in_infra(packaged):
    from devstack.package import MERGE_TEMPLATE, ROOT

    written = json.loads((ROOT / MERGE_TEMPLATE).read_text(encoding="utf-8"))["Resources"]
    roles = set()
    for name, function in functions(packaged.template).items():
        role_name, role = role_of(packaged.template, function)
        roles.add(role_name)
        # The deep merge replaces the Policies list chalice built from .chalice/policy-prod.json.
        assert role["Properties"]["Policies"] == written[role_name]["Properties"]["Policies"], name
        assert role["Properties"].get("ManagedPolicyArns", []) == [], name
    assert len(roles) == len(functions(packaged.template))


def test_api_handler_gets_only_the_data_calls_it_makes(packaged):
    resources = packaged.template["Resources"]
    _, role = role_of(packaged.template, functions(packaged.template)["APIHandler"])
    allowed = granted(role)
    assert {a.split(":")[0] for a in allowed} == {"dynamodb", "s3", "logs", "cognito-idp", "apigateway", "sts", "sqs",
                                                  "lambda"}
    # Functions: only the synchronous check of uploaded area outlines.
    assert {a for a in allowed if a.startswith("lambda:")} == {"lambda:InvokeFunction"}
    assert [target(r) for r in allowed["lambda:InvokeFunction"]] == ["CheckGeometries"]
    # Queues: only starting open data export jobs.
    assert {a for a in allowed if a.startswith("sqs:")} == {"sqs:SendMessage"}
    assert [target(r) for r in allowed["sqs:SendMessage"]] == ["ExportQueue"]
    assert {a for a in allowed if a.split(":")[0] in ("dynamodb", "s3")} <= {
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query",
        "dynamodb:ConditionCheckItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "s3:PutObject",
        "s3:GetObject"}
    # Staff accounts: only the admin calls on our own user pool.
    for action in (a for a in allowed if a.startswith("cognito-idp:")):
        assert action.startswith("cognito-idp:Admin") and [target(r) for r in allowed[action]] == ["UserPool"]
    # Client keys: only API keys and the keys of our own usage plan.
    for action in (a for a in allowed if a.startswith("apigateway:")):
        assert all(r["Fn::Sub"].rsplit("::", 1)[1] in ("/apikeys", "/apikeys/*", "/usageplans/${ApiKeysUsagePlan}/keys",
                                                      "/usageplans/${ApiKeysUsagePlan}/keys/*")
                   for r in allowed[action]), action
    # The tenant-scoped data role is the only role it may become.
    # (Named, not referenced: the data role trusts this role, so a reference would be a cycle.)
    data_role = resources["TenantDataRole"]["Properties"]["RoleName"]["Fn::Sub"]
    assert allowed["sts:AssumeRole"] == allowed["sts:TagSession"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/" + data_role}]
    for action, on in allowed.items():
        if action.startswith(("apigateway:", "sts:")):
            continue  # checked above: ARNs built from the stack's own names
        for resource in on:
            name = target(resource) or re.match(r"\$\{(\w+)", resource["Fn::Sub"]).group(1)
            assert name in resources, f"{action} on {resource}"
    # Presigned uploads only into uploads/, presigned downloads only of processed photos.
    assert [r["Fn::Sub"] for r in allowed["s3:PutObject"]] == ["${PhotoBucket.Arn}/uploads/*"]
    assert all("/uploads/" not in r["Fn::Sub"] for r in allowed["s3:GetObject"])


def test_photo_processor_gets_only_its_queue_bucket_and_reports(packaged):
    _, function, event = sqs_consumer(packaged.template)
    _, role = role_of(packaged.template, function)
    allowed = granted(role)
    assert set(allowed) == {
        "logs:CreateLogStream", "logs:PutLogEvents",
        "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
        "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
    assert _usage_actions(packaged.template, role) == {"dynamodb:UpdateItem"}  # photos counted when ready
    # Listing lets S3 answer 404 (not 403) for an original already processed, and only under uploads/.
    statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    listing = next(s for s in statements if "s3:ListBucket" in s["Action"])
    assert listing["Action"] == ["s3:ListBucket"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["uploads/*"]}}
    for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
        assert [target(r) for r in allowed[action]] == [target(event["Queue"])]
    for action in ("dynamodb:GetItem", "dynamodb:PutItem"):
        assert [target(r) for r in allowed[action]] == ["ReportsTable"]
    assert [target(r) for r in allowed["dynamodb:UpdateItem"]] == ["ReportsTable", "UsageTable"]


# -- photos -----------------------------------------------------------------------------------------


def test_photo_bucket_blocks_public_access_and_is_encrypted(packaged):
    buckets = of_type(packaged.template, "AWS::S3::Bucket")
    assert len(buckets) == 1
    (name, bucket), = buckets.items()
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    rules = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rules and all(r["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms") for r in rules)
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    policies = [p for p in of_type(packaged.template, "AWS::S3::BucketPolicy").values()
                if target(p["Properties"]["Bucket"]) == name]
    denies_http = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]
                   if s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")
                   in ("false", False)]
    assert denies_http, "the bucket must refuse plain-HTTP requests"


def test_unprocessed_uploads_expire_and_browsers_may_post_them(packaged):
    (bucket,) = of_type(packaged.template, "AWS::S3::Bucket").values()
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and r.get("Prefix") == "uploads/" and r.get("ExpirationInDays") == 1
               for r in rules)
    cors = bucket["Properties"]["CorsConfiguration"]["CorsRules"]
    assert any("POST" in r["AllowedMethods"] for r in cors)


def test_uploads_notify_the_queue_the_processor_consumes(packaged):
    resources = packaged.template["Resources"]
    (bucket,) = of_type(packaged.template, "AWS::S3::Bucket").values()
    _, _, event = sqs_consumer(packaged.template)
    queue = target(event["Queue"])
    assert resources[queue]["Type"] == "AWS::SQS::Queue"
    assert event.get("FunctionResponseTypes") == ["ReportBatchItemFailures"]

    (notification,) = bucket["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert target(notification["Queue"]) == queue
    assert notification["Event"].startswith("s3:ObjectCreated:")
    assert notification["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "uploads/"}]

    # S3 checks it may send to the queue when the notification is created: the policy must exist first.
    queue_policies = [n for n, r in of_type(packaged.template, "AWS::SQS::QueuePolicy").items()
                      if queue in [target(q) for q in r["Properties"]["Queues"]]]
    assert len(queue_policies) == 1
    depends = bucket.get("DependsOn", [])
    assert queue_policies[0] in ([depends] if isinstance(depends, str) else depends)
    (statement,) = resources[queue_policies[0]]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert actions(statement) == ["sqs:SendMessage"]
    # Only our bucket may send: the condition spells the same name the bucket is given.
    source = json.dumps(statement["Condition"]["ArnEquals"]["aws:SourceArn"])
    assert json.dumps(bucket["Properties"]["BucketName"]["Fn::Join"][1][1]) in source


def test_upload_queue_dead_letters(packaged):
    resources = packaged.template["Resources"]
    _, function, event = sqs_consumer(packaged.template)
    queue = resources[target(event["Queue"])]["Properties"]
    redrive = queue["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == 5
    dlq = target(redrive["deadLetterTargetArn"])
    assert resources[dlq]["Type"] == "AWS::SQS::Queue" and dlq != target(event["Queue"])
    # A message must not reappear while the function may still be working on it.
    assert queue["VisibilityTimeout"] > function["Properties"]["Timeout"]
    assert resources[dlq]["Properties"]["MessageRetentionPeriod"] >= queue.get("MessageRetentionPeriod", 345600)


# -- sign-in ----------------------------------------------------------------------------------------


def test_user_pool_carries_tenant_and_agency_and_the_staff_groups(packaged):
    from devstack.provision import STAFF_GROUPS

    (pool_name, pool), = of_type(packaged.template, "AWS::Cognito::UserPool").items()
    custom = {a["Name"] for a in pool["Properties"]["Schema"]}
    assert {"tenant", "agency"} <= custom
    password = pool["Properties"]["Policies"]["PasswordPolicy"]
    assert password["MinimumLength"] >= 10
    groups = {g["Properties"]["GroupName"] for g in of_type(packaged.template, "AWS::Cognito::UserPoolGroup").values()
              if target(g["Properties"]["UserPoolId"]) == pool_name}
    assert groups == set(STAFF_GROUPS)


def test_app_client_is_public_and_users_cannot_change_their_tenant(packaged):
    (client,) = of_type(packaged.template, "AWS::Cognito::UserPoolClient").values()
    props = client["Properties"]
    assert props["GenerateSecret"] is False
    assert set(props["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                                               "ALLOW_REFRESH_TOKEN_AUTH"}
    # Tenant and agency are set by administrators; a user writing them would pick their own tenant.
    assert "WriteAttributes" in props
    assert not {"custom:tenant", "custom:agency"} & set(props["WriteAttributes"])
    assert {"custom:tenant", "custom:agency"} <= set(props["ReadAttributes"])


# -- errors ------------------------------------------------------------------------------------------


def test_api_gateway_errors_are_problem_json_with_cors(packaged):
    from chalicelib.errors import CATALOG

    (api,) = of_type(packaged.template, "AWS::Serverless::Api").values()
    responses = api["Properties"]["GatewayResponses"]
    assert {"DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)
    for kind, response in responses.items():
        headers = response["ResponseParameters"]["Headers"]
        assert headers["Content-Type"] == "'application/problem+json'", kind
        assert headers["Access-Control-Allow-Origin"] == "'*'", kind
        assert "Authorization" in headers["Access-Control-Allow-Headers"], kind
        bodies = list(response["ResponseTemplates"].values())
        assert bodies, kind
        for body in bodies:
            problem = problem_body(body)
            assert {"status", "title", "detail", "code"} <= set(problem), kind
            assert problem["status"] == int(response["StatusCode"]), kind
            if kind.startswith("DEFAULT_"):  # DEFAULT_4XX answers 4xx, DEFAULT_5XX answers 5xx
                assert str(problem["status"])[0] == kind[-3], kind
            if problem["code"] in CATALOG:  # the same code means the same status and words as the app's own
                status, words = CATALOG[problem["code"]]
                assert problem["status"] == status, kind
                assert problem["title"] == words["id"][0], kind


# -- lifecycle: SLA timers, lifecycle events, notifications and deliveries ----------------------------

LOGS = {"logs:CreateLogStream", "logs:PutLogEvents"}
QUEUE_CONSUMER = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
# The Step Functions service integration -> the IAM action it calls.
INTEGRATION_ACTIONS = {"arn:aws:states:::dynamodb:getItem": "dynamodb:GetItem",
                       "arn:aws:states:::dynamodb:updateItem": "dynamodb:UpdateItem",
                       "arn:aws:states:::dynamodb:putItem": "dynamodb:PutItem",
                       "arn:aws:states:::sns:publish": "sns:Publish"}


def sla_machine(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    (found,) = of_type(template, "AWS::StepFunctions::StateMachine").items()
    return found


def test_sla_timer_is_one_standard_state_machine_defined_by_the_asl_file(packaged):
    from devstack.statemachines import placeholders, sla_definition, sla_definition_text

    name, machine = sla_machine(packaged.template)
    props = machine["Properties"]
    assert props["StateMachineType"] == "STANDARD"  # waits of days, exactly-once, 90 days of history
    assert props["Definition"] == sla_definition()  # the file, not a copy of it
    assert set(props["DefinitionSubstitutions"]) == placeholders(sla_definition_text())
    # Every function finds the machine (and the topic it publishes to) where the machine is.
    for function_name, function in functions(packaged.template).items():
        if function_name not in PURE_FUNCTIONS:
            assert told(packaged.template, function, "SLA_STATE_MACHINE_ARN") == name


def test_sla_placeholders_name_the_tables_and_topic_the_app_uses(packaged):
    from chalicelib.store.models import ReportEventModel, ReportModel

    _, machine = sla_machine(packaged.template)
    subs = machine["Properties"]["DefinitionSubstitutions"]
    api = functions(packaged.template)["APIHandler"]
    assert target(subs["ReportsTable"]) == table_id_for_model(packaged.template, ReportModel)
    assert target(subs["ReportEventsTable"]) == table_id_for_model(packaged.template, ReportEventModel)
    assert target(subs["LifecycleTopicArn"]) == told(packaged.template, api, "LIFECYCLE_TOPIC_ARN")
    assert packaged.resources[target(subs["LifecycleTopicArn"])]["Type"] == "AWS::SNS::Topic"


def test_sla_state_machine_may_do_exactly_what_its_definition_does(packaged):
    _, machine = sla_machine(packaged.template)
    props = machine["Properties"]
    subs = props["DefinitionSubstitutions"]
    needed: dict[str, set[str | None]] = {}
    for _, node in walk(props["Definition"]):
        if isinstance(node, dict) and node.get("Type") == "Task":
            on = node["Parameters"].get("TableName") or node["Parameters"].get("TopicArn")
            placeholder = re.fullmatch(r"\$\{(\w+)\}", on).group(1)
            needed.setdefault(INTEGRATION_ACTIONS[node["Resource"]], set()).add(target(subs[placeholder]))

    role = packaged.resources[target(props["RoleArn"])]
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "states.amazonaws.com"}
    assert {action: set(on) for action, on in targets(granted(role)).items()} == needed
    assert set(needed) == set(INTEGRATION_ACTIONS.values())


def test_report_changes_reach_the_stream_function_without_blocking_or_losing_records(packaged):
    from chalicelib.store.models import ReportModel

    _, _, event = event_source(packaged.template, "on_report_change", "DynamoDB")
    assert event["Stream"] == {"Fn::GetAtt": [table_id_for_model(packaged.template, ReportModel), "StreamArn"]}
    assert event["StartingPosition"] == "TRIM_HORIZON"
    # A failing record is isolated (bisect, partial batch responses), retried a bounded number of
    # times, then parked in a dead-letter queue instead of holding up the shard.
    assert event["BisectBatchOnFunctionError"] is True
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 0 < event["MaximumRetryAttempts"] <= 10
    assert 0 < event["MaximumRecordAgeInSeconds"] < 24 * 3600  # before the stream itself drops the record
    destination = event["DestinationConfig"]["OnFailure"]
    assert destination["Type"] == "SQS"
    assert packaged.resources[target(destination["Destination"])]["Type"] == "AWS::SQS::Queue"


def test_stream_function_starts_and_stops_timers_publishes_and_nothing_else(packaged):
    from chalicelib.store.models import ReportModel

    machine, _ = sla_machine(packaged.template)
    _, function, event = event_source(packaged.template, "on_report_change", "DynamoDB")
    _, role = role_of(packaged.template, function)
    allowed = granted(role)
    assert set(allowed) == LOGS | {
        "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
        "states:StartExecution", "states:StopExecution", "scheduler:CreateSchedule", "scheduler:DeleteSchedule",
        "iam:PassRole", "sns:Publish", "sqs:SendMessage",
        "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:DeleteItem"}
    # Its table writes: billing marks and counters for the timers it starts, the dashboards' aggregates
    # with their marks, and a duplicate's supporters moved to the original (support items, both reports'
    # counts, the reporter's inbox notice); its reads: the tenant's time zone, the two reports, supporters.
    assert _usage_actions(packaged.template, role) == {"dynamodb:PutItem", "dynamodb:UpdateItem"}
    assert {target(r) for r in allowed["dynamodb:PutItem"]} == {
        "UsageTable", "StatsTable", "CommunityTable", "NotificationsTable"}
    assert {target(r) for r in allowed["dynamodb:UpdateItem"]} == {"UsageTable", "StatsTable", "ReportsTable"}
    assert {target(r) for r in allowed["dynamodb:GetItem"]} == {"TenantsTable", "CommunityTable", "ReportsTable"}
    assert [target(r) for r in allowed["dynamodb:Query"]] == ["CommunityTable"]
    assert [target(r) for r in allowed["dynamodb:DeleteItem"]] == ["CommunityTable"]
    for action in ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"):
        assert allowed[action] == [{"Fn::GetAtt": [table_id_for_model(packaged.template, ReportModel), "StreamArn"]}]
    assert allowed["dynamodb:ListStreams"] == ["*"]  # the one stream action without resource-level permissions
    assert [target(r) for r in allowed["states:StartExecution"]] == [machine]
    # Only the executions of this machine (their ARNs are the machine's, with ":execution:").
    assert allowed["states:StopExecution"] == [{"Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:"
                                                           "${AWS::AccountId}:execution:${" + machine + ".Name}:*"}]
    # A timer far from its first wake is a schedule: only in the SLA group, handing over only the SLA role.
    group = told(packaged.template, function, "SLA_SCHEDULE_GROUP")
    for action in ("scheduler:CreateSchedule", "scheduler:DeleteSchedule"):
        assert allowed[action] == [{"Fn::Sub": "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:"
                                               "schedule/${" + group + "}/*"}]
    assert [target(r) for r in allowed["iam:PassRole"]] == [told(packaged.template, function, "SLA_SCHEDULER_ROLE_ARN")]
    (pass_role,) = [st for st in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
                    if "iam:PassRole" in actions(st)]
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}
    assert [target(r) for r in allowed["sns:Publish"]] == [told(packaged.template, function, "LIFECYCLE_TOPIC_ARN")]
    assert [target(r) for r in allowed["sqs:SendMessage"]] == [
        target(event["DestinationConfig"]["OnFailure"]["Destination"])]


def test_sla_schedules_live_in_their_own_group_and_start_only_the_sla_machine(packaged):
    machine, _ = sla_machine(packaged.template)
    _, function = handler(packaged.template, "on_report_change")
    group = told(packaged.template, function, "SLA_SCHEDULE_GROUP")
    assert packaged.resources[group]["Type"] == "AWS::Scheduler::ScheduleGroup"
    role = packaged.resources[told(packaged.template, function, "SLA_SCHEDULER_ROLE_ARN")]
    assert role["Type"] == "AWS::IAM::Role"
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
    # Only Scheduler acting for this account may assume it (the confused deputy).
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert targets(granted(role)) == {"states:StartExecution": [machine]}


def test_only_the_stream_function_schedules_timers(packaged):
    for name, function in functions(packaged.template).items():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        scheduling = {"SLA_SCHEDULE_GROUP", "SLA_SCHEDULER_ROLE_ARN"} & set(variables)
        assert scheduling == (set() if function["Properties"]["Handler"] != "app.on_report_change"
                              else {"SLA_SCHEDULE_GROUP", "SLA_SCHEDULER_ROLE_ARN"}), name


def test_lifecycle_events_reach_the_notifier_queue_verbatim_and_only_from_the_topic(packaged):
    resources = packaged.resources
    _, notify, event = sqs_consumer(packaged.template, "notify")
    topic = told(packaged.template, notify, "LIFECYCLE_TOPIC_ARN")
    queue = target(event["Queue"])
    (subscription,) = [s["Properties"] for s in of_type(packaged.template, "AWS::SNS::Subscription").values()
                       if target(s["Properties"]["TopicArn"]) == topic]
    assert subscription["Protocol"] == "sqs" and target(subscription["Endpoint"]) == queue
    assert subscription["RawMessageDelivery"] is True  # the queue holds the event JSON itself, no SNS envelope

    (policy,) = [p for p in of_type(packaged.template, "AWS::SQS::QueuePolicy").values()
                 if queue in [target(q) for q in p["Properties"]["Queues"]]]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert actions(statement) == ["sqs:SendMessage"] and target(statement["Resource"]) == queue
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": topic}}}
    assert resources[topic]["Type"] == "AWS::SNS::Topic"


@pytest.mark.parametrize(("name", "timeout"), [("process_photo_uploads", 60), ("notify", 60), ("deliver", 30),
                                              ("export_reports", 900)])
def test_every_queue_consumer_dead_letters_and_outlasts_its_function(packaged, name, timeout):
    resources = packaged.resources
    _, function, event = sqs_consumer(packaged.template, name)
    assert function["Properties"]["Timeout"] == timeout
    assert event.get("FunctionResponseTypes") == ["ReportBatchItemFailures"]
    queue = resources[target(event["Queue"])]["Properties"]
    # A message must not reappear while the function may still be working on it (AWS advises 6x).
    assert queue["VisibilityTimeout"] >= 6 * timeout
    redrive = queue["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == 5
    dlq = target(redrive["deadLetterTargetArn"])
    assert resources[dlq]["Type"] == "AWS::SQS::Queue" and dlq != target(event["Queue"])
    assert resources[dlq]["Properties"]["MessageRetentionPeriod"] >= queue.get("MessageRetentionPeriod", 345600)


def test_stream_function_has_the_time_its_batches_need(packaged):
    _, function = handler(packaged.template, "on_report_change")
    assert function["Properties"]["Timeout"] == 60


def test_notifier_reads_reports_and_tenants_writes_inboxes_and_queues_deliveries(packaged):
    from chalicelib.store.models import NotificationModel, ReportModel, TenantModel

    template = packaged.template
    _, function, event = sqs_consumer(template, "notify")
    _, role = role_of(template, function)
    assert targets(granted(role)) == {
        **{action: [target(event["Queue"])] for action in QUEUE_CONSUMER},
        **{action: ["NotifyLogGroup"] for action in LOGS},
        # The inbox is read too: whether an event's outbound deliveries were already queued.
        "dynamodb:GetItem": sorted([table_id_for_model(template, NotificationModel),
                                    table_id_for_model(template, ReportModel),
                                    table_id_for_model(template, TenantModel)]),
        "dynamodb:PutItem": [table_id_for_model(template, NotificationModel)],
        "dynamodb:Query": [table_id_for_model(template, NotificationModel)],
        "dynamodb:UpdateItem": ["UsageTable"],  # inbox messages counted in their own transaction
        "sqs:SendMessage": [told(template, function, "DELIVERY_QUEUE_URL")],
    }


def test_deliverer_only_consumes_its_queue_and_sends_email_as_our_identity(packaged):
    template = packaged.template
    _, function, event = sqs_consumer(template, "deliver")
    assert target(event["Queue"]) == told(template, function, "DELIVERY_QUEUE_URL")
    _, role = role_of(template, function)
    allowed = granted(role)
    # It reads the tenant's channels fresh (a URL or secret may have changed since the event was queued).
    assert set(allowed) == LOGS | QUEUE_CONSUMER | {"ses:SendEmail", "ses:SendRawEmail", "dynamodb:GetItem",
                                                    "dynamodb:PutItem", "dynamodb:UpdateItem"}
    from chalicelib.store.models import TenantModel

    assert [target(r) for r in allowed["dynamodb:GetItem"]] == [table_id_for_model(template, TenantModel)]
    # A sent message is counted once: its mark and the counter, in the usage table only.
    assert [target(r) for r in allowed["dynamodb:PutItem"]] == [target(r) for r in allowed["dynamodb:UpdateItem"]] \
        == ["UsageTable"]
    for action in QUEUE_CONSUMER:
        assert [target(r) for r in allowed[action]] == [target(event["Queue"])]
    identity = {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${EmailIdentity}"}
    assert allowed["ses:SendEmail"] == allowed["ses:SendRawEmail"] == [identity]
    assert "EmailIdentity" in template["Parameters"]


def _usage_actions(template: dict[str, Any], role: dict[str, Any]) -> set[str]:
    return {action for action, on in granted(role).items() if any(target(r) == "UsageTable" for r in on)}


def test_api_handler_reaches_history_areas_and_inboxes(packaged):
    from chalicelib.store.models import AreaModel, NotificationModel, ReportEventModel

    template = packaged.template
    _, role = role_of(template, functions(template)["APIHandler"])
    on = targets(granted(role))
    for model, needed in ((ReportEventModel, {"dynamodb:PutItem", "dynamodb:Query"}),
                          (AreaModel, {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"}),
                          (NotificationModel, {"dynamodb:Query", "dynamodb:UpdateItem"})):
        table = table_id_for_model(template, model)
        assert {action for action, tables in on.items() if table in tables} >= needed, model.__name__
