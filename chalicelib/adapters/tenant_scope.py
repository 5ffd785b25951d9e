"""DynamoDB access narrowed to one tenant, below the application.

While a request for tenant ``kupang`` runs (``with tenant_scope("kupang")``), every DynamoDB call made
through PynamoDB is signed with credentials of the data role (``TenantDataRole`` in
``infra/resources.json``) assumed with the session tag ``tenant=kupang``. That role's policy allows an
item only when its partition key is ``kupang`` or starts with ``kupang#`` (``dynamodb:LeadingKeys``), so
a bug that forgets the tenant in a key is refused by IAM instead of leaking another pemda's data.

Cost: one STS ``AssumeRole`` per tenant per container per hour (credentials are cached and renewed five
minutes before they expire); no extra call on a warm request. Without ``TENANT_DATA_ROLE_ARN`` (unit
tests, a stage that opts out) or outside a scope (platform routes, event handlers), calls are signed
with the function's own role, as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from botocore.credentials import Credentials, ReadOnlyCredentials

from chalicelib.config import get_settings

_RENEW_BEFORE_SECONDS = 300
_SESSION_SECONDS = 3600

_scoped_tenant: ContextVar[str | None] = ContextVar("aduan_tenant_scope", default=None)
_sessions: dict[tuple[str, str], tuple[ReadOnlyCredentials, float]] = {}
_lock = threading.Lock()


@contextmanager
def tenant_scope(tenant: str | None) -> Iterator[None]:
    """DynamoDB calls inside are made as ``tenant`` (or with the function's own role for ``None``)."""
    token = _scoped_tenant.set(tenant or None)
    try:
        yield
    finally:
        _scoped_tenant.reset(token)


def current_tenant() -> str | None:
    return _scoped_tenant.get()


def _assume(role_arn: str, tenant: str) -> tuple[ReadOnlyCredentials, float]:
    from chalicelib.adapters.aws import botocore_client

    answer = botocore_client("sts").assume_role(
        RoleArn=role_arn, RoleSessionName=f"aduan-{tenant}"[:64], DurationSeconds=_SESSION_SECONDS,
        Tags=[{"Key": "tenant", "Value": tenant}])["Credentials"]
    frozen = ReadOnlyCredentials(answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"])
    return frozen, answer["Expiration"].timestamp()


def tenant_credentials(tenant: str) -> ReadOnlyCredentials:
    """The data role's credentials for ``tenant``, assumed once and reused until shortly before expiry."""
    role_arn = get_settings().tenant_data_role_arn
    with _lock:
        cached = _sessions.get((role_arn, tenant))
        if cached is None or cached[1] - time.time() < _RENEW_BEFORE_SECONDS:
            cached = _sessions[(role_arn, tenant)] = _assume(role_arn, tenant)
        return cached[0]


class TenantScopedCredentials(Credentials):
    """Credentials that sign each request as the tenant in scope, or with ``base`` outside any scope.

    botocore asks a client's credentials for ``get_frozen_credentials()`` at every request it signs, so
    one client serves every tenant and the choice is made per call.
    """

    def __init__(self, base: Credentials) -> None:  # no super().__init__: the keys are chosen per call
        self._base = base
        self.method = "aduan-tenant-scope"

    def get_frozen_credentials(self) -> ReadOnlyCredentials:
        tenant = _scoped_tenant.get()
        if tenant is None or not get_settings().tenant_data_role_arn:
            return self._base.get_frozen_credentials()
        return tenant_credentials(tenant)

    @property  # type: ignore[override]
    def access_key(self) -> str:
        return self.get_frozen_credentials().access_key

    @property  # type: ignore[override]
    def secret_key(self) -> str:
        return self.get_frozen_credentials().secret_key

    @property  # type: ignore[override]
    def token(self) -> str | None:
        return self.get_frozen_credentials().token


_per_thread = threading.local()


def scoped_session() -> Any:
    """This thread's botocore session whose clients sign with :class:`TenantScopedCredentials`.

    PynamoDB asks for a session per connection and thread; one per thread is enough (sessions are
    not thread-safe, so not one per process) and spares a cold request a session per model class.
    """
    session = getattr(_per_thread, "session", None)
    if session is None:
        session = _per_thread.session = _new_scoped_session()
    return session


def _new_scoped_session() -> Any:
    from botocore.credentials import CredentialProvider

    from chalicelib.adapters.aws import function_credentials, new_botocore_session

    class _Provider(CredentialProvider):
        METHOD = "aduan-tenant-scope"

        def load(self) -> Credentials | None:
            base = function_credentials()
            return TenantScopedCredentials(base) if base is not None else None

    session = new_botocore_session()
    session.get_component("credential_provider").insert_before("env", _Provider())
    _share_clients(session)
    return session


def _share_clients(session: Any) -> None:
    """Make ``session`` build one client per service and settings, and hand it out again.

    PynamoDB builds a client per connection, i.e. per model class: five on a cold create-report, ~12 ms
    each. Its connections ask with the same settings, so they can share one (botocore clients are
    thread-safe). Each connection registers its own ``before-send`` handler on the client it gets; there
    is one connection per model class plus the stores' one transaction connection, so they stay few.
    """
    build = session.create_client
    built: dict[str, Any] = {}

    def create_client(*args: Any, **kwargs: Any) -> Any:
        config = kwargs.get("config")
        options = sorted((config._user_provided_options if config is not None else {}).items())
        key = repr((args, sorted((k, v) for k, v in kwargs.items() if k != "config"), options))
        if key not in built:
            built[key] = build(*args, **kwargs)
        return built[key]

    session.create_client = create_client


def install_for_pynamodb() -> None:
    """Make PynamoDB's connections sign with tenant-scoped credentials.

    PynamoDB creates its botocore sessions with ``botocore.session.get_session`` (one per thread) and
    offers no hook for a custom one, so its module-level reference is pointed at :func:`scoped_session`.
    Idempotent.
    """
    import pynamodb.connection.base as base

    base.get_session = scoped_session


def reset() -> None:
    """Forget cached sessions (tests that change the role or the credentials)."""
    with _lock:
        _sessions.clear()
    _per_thread.__dict__.clear()
