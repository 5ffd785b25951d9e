"""The SLA state machine definition as written (infra/statemachines/sla.asl.json): cost and safety rules.

Its behaviour is exercised in moto by tests/integration/test_sla_timer.py; these rules are about what
moto cannot show: which integrations it calls, how it retries, and what it costs before a first wake.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from devstack.statemachines import placeholders, sla_definition, sla_definition_for, sla_definition_text, substitute

ALLOWED_INTEGRATIONS = {"arn:aws:states:::dynamodb:getItem", "arn:aws:states:::dynamodb:updateItem",
                        "arn:aws:states:::dynamodb:putItem", "arn:aws:states:::sns:publish"}
CONDITION_FAILED = "DynamoDB.ConditionalCheckFailedException"


def states(node: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every state, nested ones (Map, Parallel) included."""
    for name, state in node["States"].items():
        yield name, state
        if "ItemProcessor" in state:
            yield from states(state["ItemProcessor"])
        for branch in state.get("Branches", []):
            yield from states(branch)


def tasks() -> list[tuple[str, dict[str, Any]]]:
    return [(name, state) for name, state in states(sla_definition()) if state["Type"] == "Task"]


def tasks_by_name() -> dict[str, dict[str, Any]]:
    return dict(tasks())


def test_only_direct_dynamodb_and_sns_integrations_no_lambda():
    used = {state["Resource"] for _, state in tasks()}
    assert used == ALLOWED_INTEGRATIONS


def test_every_task_retries_throttling_but_never_a_failed_condition():
    for name, state in tasks():
        retried = {error for retrier in state.get("Retry", []) for error in retrier["ErrorEquals"]}
        assert any("Throttl" in error or "ProvisionedThroughput" in error for error in retried), name
        # A failed condition is an answer (the stage moved on, the entry exists), not a glitch to retry.
        assert not retried & {CONDITION_FAILED, "States.ALL", "States.TaskFailed"}, name


def test_every_report_write_is_conditional_and_bumps_the_version():
    updates = [(n, s["Parameters"]) for n, s in tasks() if s["Resource"].endswith("updateItem")]
    assert updates
    for name, parameters in updates:
        assert "stage = :stage AND stage_seq = :seq" in parameters["ConditionExpression"], name
        assert parameters["UpdateExpression"].endswith("ADD version :one"), name
        assert parameters["ExpressionAttributeValues"][":one"] == {"N": "1"}, name
        catches = [c for c in tasks_by_name()[name].get("Catch", []) if CONDITION_FAILED in c["ErrorEquals"]]
        assert len(catches) == 1, name


def test_history_entries_are_written_once_even_when_retried():
    puts = [(n, s) for n, s in tasks() if s["Resource"].endswith("putItem")]
    assert puts
    for name, state in puts:
        assert state["Parameters"]["ConditionExpression"] == "attribute_not_exists(event_id)", name
        (caught,) = [c for c in state["Catch"] if CONDITION_FAILED in c["ErrorEquals"]]
        assert caught["Next"] == state["Next"], f"{name}: an existing entry must count as written"


def test_a_timer_stopped_before_its_first_wake_entered_one_state():
    definition = sla_definition()
    entered = [definition["StartAt"]]
    state = definition["States"][definition["StartAt"]]
    while state["Type"] != "Wait":
        if state["Type"] == "Map":
            processor = state["ItemProcessor"]
            state = processor["States"][processor["StartAt"]]
            entered.append(processor["StartAt"])
        else:
            assert "Next" in state, f"{entered[-1]} ends before any Wait"
            entered.append(state["Next"])
            state = definition["States"][state["Next"]]
    assert len(entered) == 1, entered  # Step Functions bills every state entered: the Wait alone


def test_wakes_are_handled_one_at_a_time_in_order():
    (_, wakes), = [(n, s) for n, s in sla_definition()["States"].items() if s["Type"] == "Map"]
    assert wakes["ItemsPath"] == "$.wakes" and wakes["MaxConcurrency"] == 1


def test_the_placeholders_are_the_three_resources():
    assert placeholders(sla_definition_text()) == {"ReportsTable", "ReportEventsTable", "LifecycleTopicArn"}


def test_substitution_fills_every_placeholder_and_keeps_valid_json():
    text = sla_definition_for(reports_table="r", report_events_table="e",
                              lifecycle_topic_arn="arn:aws:sns:ap-southeast-3:123456789012:t")
    assert placeholders(text) == set()
    parameters = json.loads(text)["States"]["Wakes"]["ItemProcessor"]["States"]["ReadReport"]["Parameters"]
    assert parameters["TableName"] == "r"
    assert json.loads(substitute('{"a": "${X}"}', {"X": 'q"uote'})) == {"a": 'q"uote'}


def test_a_missing_substitution_is_refused():
    with pytest.raises(KeyError, match="ReportsTable"):
        substitute(sla_definition_text(), {"ReportEventsTable": "e", "LifecycleTopicArn": "t"})
