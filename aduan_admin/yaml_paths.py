"""Where a problem's dotted path (``units.1.type``) sits in the YAML file: the line, and ``units[1].type``."""

from __future__ import annotations

from typing import Any


def display(path: str) -> str:
    """``units.1.type`` -> ``units[1].type``: how a YAML (or JSON) reader names that place."""
    shown = ""
    for part in path.split("."):
        if part.isdigit():
            shown += f"[{part}]"
        else:
            shown += f".{part}" if shown else part
    return shown or "(document)"


def line_of(text: str, path: str) -> int | None:
    """The 1-based line of the node at ``path`` (or of its nearest existing parent); None if unparsable."""
    import yaml

    try:
        node: Any = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    for part in [p for p in path.split(".") if p and p != "body"]:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((value for key, value in node.value if getattr(key, "value", None) == part), None)
            if child is None:  # a missing or unknown key: point at its parent, or the key itself
                key_node = next((key for key, _ in node.value if getattr(key, "value", None) == part), None)
                return (key_node.start_mark.line + 1) if key_node is not None else node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            child = node.value[int(part)]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1
