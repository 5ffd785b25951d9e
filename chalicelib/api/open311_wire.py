"""The Open311 wire formats: XML (standard library ElementTree, UTF-8, no namespace) and JSON (top-level
arrays for lists, an object for a service definition), and the Open311 error body."""

from __future__ import annotations

import json
import re
from typing import Any

from chalice import Response

from chalicelib.domain.open311 import FORMATS, Open311Error

CONTENT_TYPES = {fmt: f"{mime}; charset=utf-8" for fmt, mime in FORMATS.items()}
# A list's element name inside its wrapper (``<attributes><attribute>``...).
_ITEM = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value",
         "services": "service", "service_requests": "request", "errors": "error"}
# Characters XML 1.0 cannot carry at all (a description may hold them); dropped from XML output only.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: Any, name: str, value: Any) -> None:
    from xml.etree.ElementTree import SubElement

    if value is None:
        return  # absent, as the spec's optional elements may be
    child = SubElement(element, name)
    if isinstance(value, list):
        for item in value:
            _fill_item(child, _ITEM.get(name, "item"), item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _fill(child, key, inner)
    else:
        child.text = _text(value)


def _fill_item(parent: Any, name: str, item: Any) -> None:
    from xml.etree.ElementTree import SubElement

    if isinstance(item, dict):
        element = SubElement(parent, name)
        for key, inner in item.items():
            _fill(element, key, inner)
    else:
        SubElement(parent, name).text = _text(item)


def to_xml(root: str, body: Any) -> str:
    """``<?xml version="1.0" encoding="utf-8"?>`` then ``<root>``: a list becomes one child per item."""
    from xml.etree.ElementTree import Element, tostring

    element = Element(root)
    if isinstance(body, list):
        for item in body:
            _fill_item(element, _ITEM.get(root, "item"), item)
    else:
        for key, value in body.items():
            _fill(element, key, value)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="unicode")


def respond(fmt: str, root: str, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    text = to_xml(root, body) if fmt == "xml" else json.dumps(body, ensure_ascii=False)
    merged = {"Content-Type": CONTENT_TYPES[fmt]}
    merged.update(headers or {})
    return Response(body=text, status_code=status, headers=merged)


def error_response(fmt: str, error: Open311Error, lang: str) -> Response:
    """``[{"code": 404, "description": "..."}]`` / ``<errors><error>...``: the HTTP status as the code."""
    body = [{"code": error.status, "description": en if lang == "en" else id_}
            for id_, en in error.messages]
    headers = {"Content-Language": lang, **error.headers}
    return respond(fmt if fmt in FORMATS else "xml", "errors", body, error.status, headers)
