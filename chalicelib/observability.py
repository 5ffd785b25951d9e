"""One structured logger and one metrics emitter (Powertools), created on first use.

Log lines carry the request id and tenant, never personal data: no names, phone numbers, receipts,
tokens or report text.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any

SERVICE = "aduan"


class _Stdout:
    """Whatever ``sys.stdout`` is at the time of writing (test runners swap it)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@lru_cache(maxsize=1)
def logger() -> Any:
    from aws_lambda_powertools import Logger

    return Logger(service=SERVICE, stream=_Stdout())


@lru_cache(maxsize=1)
def metrics() -> Any:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace="Aduan", service=SERVICE)


def count(name: str, tenant: str) -> None:
    """One EMF count per event, dimensioned by tenant (bounded; never by report id)."""
    from aws_lambda_powertools.metrics import MetricUnit

    m = metrics()
    m.add_dimension(name="tenant", value=tenant)
    m.add_metric(name=name, unit=MetricUnit.Count, value=1)
    m.flush_metrics()
