"""boto3 clients, created on first use and reused for the life of the container (cold start).

Every botocore session the function makes (boto3's, and PynamoDB's, one per connection and thread)
takes its service models from one loader. Parsing a service's JSON model and the endpoints file is
most of what a client costs to create, and a cold container would otherwise pay it once per session:
four times on the first create-report.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from chalicelib.config import get_settings


@cache
def _shared_loader() -> Any:
    from botocore.loaders import create_loader

    return create_loader()


def new_botocore_session() -> Any:
    """A fresh botocore session (sessions are not thread-safe) whose models come from the shared loader."""
    from botocore.session import get_session

    session = get_session()
    session.register_component("data_loader", _shared_loader())
    return session


@cache
def _boto3_session() -> Any:
    import boto3

    return boto3.Session(botocore_session=new_botocore_session(), region_name=get_settings().region)


@cache
def client(service: str) -> Any:
    from botocore.config import Config

    config = Config(signature_version="s3v4") if service == "s3" else None
    return _boto3_session().client(service, config=config)


_botocore_lock = threading.Lock()
_botocore_clients: dict[str, Any] = {}
_plain: list[Any] = []  # the one botocore session of botocore_client and function_credentials


def _plain_session() -> Any:
    if not _plain:
        _plain.append(new_botocore_session())
    return _plain[0]


def botocore_client(service: str) -> Any:
    """A plain botocore client: for calls on a cold request's path, which need none of boto3 (its import
    and session cost a cold request ~20-40 ms)."""
    with _botocore_lock:  # a botocore session must not build two clients at once
        if service not in _botocore_clients:
            _botocore_clients[service] = _plain_session().create_client(service, region_name=get_settings().region)
        return _botocore_clients[service]


def function_credentials() -> Any:
    """The function's own credentials (its role's, from the environment), resolved once per session."""
    with _botocore_lock:
        return _plain_session().get_credentials()


def reset_clients() -> None:
    client.cache_clear()
    _boto3_session.cache_clear()
    with _botocore_lock:
        _botocore_clients.clear()
        _plain.clear()
