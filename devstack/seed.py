"""Demo tenants and demo accounts for the local stack and the tests."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import boto3

from chalicelib.domain.taxonomy import AGENCY_TYPES

DEMO_PASSWORD = "AduanDemo2026"  # local stand-in only; moto never leaves this machine
# Officers seeded per tenant: the three busiest units, and the Inspectorate for misconduct reports.
DEMO_UNITS = ("DLH", "PUPR", "DISHUB", "INSPEKTORAT")


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    tenant: str | None
    agency: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _area(*points: tuple[float, float]) -> dict[str, Any]:
    ring = [[lon, lat] for lat, lon in points]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


# Rough outlines (lat, lon) that contain each town centre: Kupang -10.17/123.60, Kabanjahe
# 3.10/98.49, Stabat 3.74/98.45. Real boundaries come from the tenant at onboarding.
TENANTS: list[dict[str, Any]] = [
    {"code": "kupang", "name": "Kota Kupang", "timezone": "Asia/Makassar", "code_prefix": "KPG",
     # A technical unit (UPT) that areas can route to: garbage in Alak goes to it, not to DLH itself.
     "extra_units": {"UPT-DLH-ALAK": {"code": "UPT-DLH-ALAK", "name": "UPT Kebersihan Kecamatan Alak",
                                      "type": "DLH"}},
     "service_area": _area((-10.12, 123.52), (-10.12, 123.70), (-10.26, 123.70), (-10.26, 123.52))},
    {"code": "karo", "name": "Kabupaten Karo", "timezone": "Asia/Jakarta", "code_prefix": "KRO",
     "service_area": _area((3.33, 97.90), (3.33, 98.65), (2.83, 98.65), (2.83, 97.90))},
    {"code": "langkat", "name": "Kabupaten Langkat", "timezone": "Asia/Jakarta", "code_prefix": "LKT",
     "service_area": _area((4.35, 97.85), (4.35, 98.72), (3.40, 98.72), (3.40, 97.85))},
]


# Every demo tenant is billed on this plan (rupiah); a real pemda's plan comes with its onboarding document.
DEMO_PLAN: dict[str, Any] = {
    "name": "Standar Daerah 2027", "currency": "IDR", "base_monthly": 7_500_000, "tax_percent": 11,
    "items": {"reports_created": {"included": 1_000, "unit_price": 1_500},
              "photos_stored": {"included": 2_000, "unit_price": 200},
              "notifications_inbox": {"included": 10_000, "unit_price": 20},
              "notifications_webhook": {"included": 1_000, "unit_price": 150},
              "notifications_email": {"included": 1_000, "unit_price": 100},
              "api_requests": {"included": 50_000, "unit_price": 2_000, "per": 1_000},
              "sla_timers_started": {"included": 4_000, "unit_price": 25}},
}
PLATFORM_ADMIN = "admin.platform"


def demo_users() -> list[DemoUser]:
    users = [DemoUser("warga.ani", DEMO_PASSWORD, "citizen", None, None),
             DemoUser("warga.budi", DEMO_PASSWORD, "citizen", None, None),
             DemoUser(PLATFORM_ADMIN, DEMO_PASSWORD, "platform_admin", None, None)]
    for tenant in TENANTS:
        code = tenant["code"]
        users.append(DemoUser(f"admin.{code}", DEMO_PASSWORD, "tenant_admin", code, None))
        users.append(DemoUser(f"supervisor.{code}", DEMO_PASSWORD, "supervisor", code, None))
        for unit in DEMO_UNITS:
            users.append(DemoUser(f"petugas.{code}.{unit.lower()}", DEMO_PASSWORD, "officer", code, unit))
    return users


def seed_tenants() -> None:
    from chalicelib.store.models import TenantModel
    from chalicelib.store.tenants import save_tenant

    for spec in TENANTS:
        units = {code: {"code": code, "name": f"{kind.name_id} {spec['name']}", "type": code}
                 for code, kind in AGENCY_TYPES.items()}
        units.update(spec.get("extra_units", {}))
        save_tenant(TenantModel(spec["code"], name=spec["name"], names={"id": spec["name"], "en": spec["name"]},
                                timezone=spec["timezone"], locale="id-ID", code_prefix=spec["code_prefix"],
                                service_area=spec["service_area"], agencies=units, active=1, plan=DEMO_PLAN,
                                created_at="2026-01-01T00:00:00.000Z", directory="tenants"))


def seed_api_keys() -> dict[str, str]:
    """One client-app key per demo tenant, issued through the same use case a tenant admin calls."""
    from chalicelib.domain.audit import Actor
    from chalicelib.services.api_keys import issue

    seeder = Actor("devstack:seed", "operator")
    return {spec["code"]: issue(spec["code"], "Demo mobile app", seeder)["key"] for spec in TENANTS}


def seed_users(user_pool_id: str, region: str) -> list[DemoUser]:
    cognito = boto3.client("cognito-idp", region_name=region)
    users = demo_users()
    for user in users:
        attributes = [{"Name": "custom:tenant", "Value": user.tenant}] if user.tenant else []
        if user.agency:
            attributes.append({"Name": "custom:agency", "Value": user.agency})
        try:
            cognito.admin_create_user(UserPoolId=user_pool_id, Username=user.username, MessageAction="SUPPRESS",
                                      UserAttributes=attributes)
        except cognito.exceptions.UsernameExistsException:
            pass
        cognito.admin_set_user_password(UserPoolId=user_pool_id, Username=user.username, Password=user.password,
                                        Permanent=True)
        if user.role != "citizen":
            cognito.admin_add_user_to_group(UserPoolId=user_pool_id, Username=user.username, GroupName=user.role)
        if user.tenant:
            _directory_entry(cognito, user_pool_id, user)
    return users


def _directory_entry(cognito: Any, user_pool_id: str, user: DemoUser) -> None:
    """Staff are listed from the staff table (Cognito cannot list by custom attribute): mirror the account."""
    from chalicelib.store.models import StaffModel

    attributes = cognito.admin_get_user(UserPoolId=user_pool_id, Username=user.username)["UserAttributes"]
    sub = next(a["Value"] for a in attributes if a["Name"] == "sub")
    StaffModel(user.tenant, sub, username=user.username, role=user.role, agency=user.agency, status="active",
               created_at="2026-01-01T00:00:00.000Z", updated_at="2026-01-01T00:00:00.000Z").save()
