"""Who is calling: a verified identity reduced to what the rules need."""

from __future__ import annotations

from dataclasses import dataclass, field

STAFF_ROLES = frozenset({"officer", "supervisor", "tenant_admin", "platform_admin"})


@dataclass(frozen=True)
class Caller:
    """A signed-in user. Citizens have no tenant; staff belong to one (platform admins to all)."""

    sub: str
    roles: frozenset[str] = field(default_factory=frozenset)
    tenant: str | None = None
    agency: str | None = None

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    def is_staff_of(self, tenant: str) -> bool:
        if "platform_admin" in self.roles:
            return True
        return self.is_staff and self.tenant == tenant
