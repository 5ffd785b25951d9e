"""Infrastructure fixtures: the app packaged once per session, as it would be deployed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class Packaged:
    outdir: Path
    template_path: Path
    template: dict[str, Any]

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.template["Resources"])


@pytest.fixture(scope="session")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Packaged]:
    """``chalice package`` merged with infra/resources.json (needs PyPI the first time, for the layer)."""
    from devstack.package import package

    artefacts = package(tmp_path_factory.mktemp("package") / "out", quiet=True)
    template = json.loads(artefacts.template.read_text(encoding="utf-8"))
    yield Packaged(artefacts.outdir, artefacts.template, template)
