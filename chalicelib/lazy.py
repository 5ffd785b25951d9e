"""Modules loaded on first use: the route modules name their services without importing them.

``import app`` must register every route, so it imports every API module; if those imported their
services, domain rules and libraries at once, a cold container's first request would load the code of
all ~80 modules to run the few its route needs (~25 ms of a cold create-report). ``lazy_module`` returns
the module object at once and runs its code on the first attribute access (importlib's ``LazyLoader``).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """``name``'s module, whose code runs when an attribute of it is first read."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)  # as a plain import binds it on its package
    return module
