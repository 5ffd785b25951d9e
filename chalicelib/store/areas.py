"""A tenant's routing areas: read all (one Query), replace all."""

from __future__ import annotations

from chalicelib.domain.routing import AreaSpec
from chalicelib.store.models import AreaModel


def load_areas(tenant: str) -> list[AreaSpec]:
    return [AreaSpec(code=a.code, name=a.name, level=a.level, geometry=a.geometry,
                     units={str(k): str(v) for k, v in (a.units.as_dict() if a.units else {}).items()})
            for a in AreaModel.query(tenant)]


def replace_areas(tenant: str, specs: list[AreaSpec]) -> None:
    """Write the new set, then drop areas no longer in it (a reader sees old or new areas, never none)."""
    keep = {spec.code for spec in specs}
    with AreaModel.batch_write() as batch:
        for spec in specs:
            batch.save(AreaModel(tenant, spec.code, name=spec.name, level=spec.level, geometry=spec.geometry,
                                 units=spec.units))
    stale = [a for a in AreaModel.query(tenant, attributes_to_get=["tenant", "code"]) if a.code not in keep]
    with AreaModel.batch_write() as batch:
        for area in stale:
            batch.delete(area)
