"""boto3 clients, created on first use and reused for the life of the container (cold start)."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.config import get_settings


@cache
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(signature_version="s3v4") if service == "s3" else None
    return boto3.client(service, region_name=get_settings().region, config=config)


def reset_clients() -> None:
    client.cache_clear()
