"""The SLA state machine definition (infra/statemachines/sla.asl.json) and its placeholders.

The ASL file is the single source: local provisioning substitutes the placeholders itself, and the
packaged template carries the file unchanged with CloudFormation ``DefinitionSubstitutions``.
Both use this module, so the names cannot drift apart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SLA_DEFINITION = Path("infra") / "statemachines" / "sla.asl.json"
# Placeholder -> logical id of the resource in infra/resources.json that fills it.
SLA_PLACEHOLDERS: dict[str, str] = {
    "ReportsTable": "ReportsTable",
    "ReportEventsTable": "ReportEventsTable",
    "LifecycleTopicArn": "LifecycleTopic",
}
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def sla_definition_text() -> str:
    return (ROOT / SLA_DEFINITION).read_text(encoding="utf-8")


def sla_definition() -> dict[str, Any]:
    """The definition as written, placeholders and all."""
    parsed: dict[str, Any] = json.loads(sla_definition_text())
    return parsed


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def substitute(text: str, values: Mapping[str, str]) -> str:
    """Replace ``${Name}`` as CloudFormation's DefinitionSubstitutions would; every placeholder must be given.

    Values are inserted as JSON string content, so a name with a quote cannot break the document.
    """
    missing = placeholders(text) - set(values)
    if missing:
        raise KeyError(f"no value for placeholders {sorted(missing)}")
    return _PLACEHOLDER.sub(lambda m: json.dumps(values[m.group(1)])[1:-1], text)


def sla_definition_for(*, reports_table: str, report_events_table: str, lifecycle_topic_arn: str) -> str:
    """The definition ready for CreateStateMachine, pointing at these resources."""
    return substitute(sla_definition_text(), {
        "ReportsTable": reports_table,
        "ReportEventsTable": report_events_table,
        "LifecycleTopicArn": lifecycle_topic_arn,
    })
