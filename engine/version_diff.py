"""What changed between two packages, element by element (for people, not for SpiffWorkflow).

BPMN/DMN elements are matched by id across the whole package (an element may move to another
file). An element's own content is its attributes plus the children that have no id of their
own (documentation, extension properties, flow references, expressions...); children with an id
are elements in their own right. Diagram layout (BPMNDI) is ignored: moving a shape changes
nothing. Forms are compared as files, with the fields added or removed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from lxml import etree

from . import safexml
from .package import Package

_LAYOUT = ("http://www.omg.org/spec/BPMN/20100524/DI", "http://www.omg.org/spec/DD/20100524/DC",
           "http://www.omg.org/spec/DD/20100524/DI", "https://www.omg.org/spec/DMN/20191111/DMNDI/")


@dataclass(frozen=True)
class Change:
    """One element or form that was added, removed or changed."""

    change: str  # added | removed | changed
    file: str
    element_id: str
    kind: str  # BPMN/DMN element type, or "form"
    name: str = ""
    details: tuple[str, ...] = ()  # what changed: attribute names, child elements, form fields


@dataclass
class VersionDiff:
    changes: list[Change] = field(default_factory=list)

    def of(self, change: str) -> list[Change]:
        return [c for c in self.changes if c.change == change]


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _elements(package: Package) -> dict[str, tuple[str, etree._Element]]:
    """id -> (file, element) of every BPMN/DMN element that has an id (layout left out)."""
    found = {}
    for name, text in sorted(package.files.items()):
        if not name.endswith((".bpmn", ".dmn")):
            continue
        try:
            root = safexml.parse(text)
        except safexml.UnsafeXml:
            continue  # a stored version was validated; an unreadable file has no elements
        for element in root.iter():
            if (isinstance(element.tag, str) and element.get("id")
                    and not element.tag.startswith(tuple(f"{{{ns}" for ns in _LAYOUT))):
                found[element.get("id")] = (name, element)
    return found


def _own(element) -> dict[str, str]:
    """The element's own content: attributes, text, and id-less children keyed by tag."""
    parts = {f"@{k}": v for k, v in sorted(element.attrib.items())}
    text = (element.text or "").strip()
    if text:
        parts["text"] = text
    for child in element:
        if not isinstance(child.tag, str) or child.get("id"):
            continue
        key = _local(child.tag)
        parts[key] = parts.get(key, "") + etree.tostring(child, method="c14n").decode()
    return parts


def diff_packages(old: Package, new: Package) -> VersionDiff:
    """Added, removed and changed elements and forms from `old` to `new`."""
    result = VersionDiff()
    before, after = _elements(old), _elements(new)
    for element_id in sorted(before.keys() | after.keys()):
        if element_id not in after:
            file, element = before[element_id]
            result.changes.append(Change("removed", file, element_id, _local(element.tag),
                                         element.get("name", "")))
        elif element_id not in before:
            file, element = after[element_id]
            result.changes.append(Change("added", file, element_id, _local(element.tag),
                                         element.get("name", "")))
        else:
            (_, was), (file, now) = before[element_id], after[element_id]
            a, b = _own(was), _own(now)
            details = tuple(k.lstrip("@") for k in sorted(a.keys() | b.keys())
                            if a.get(k) != b.get(k))
            if _local(was.tag) != _local(now.tag):
                details = ("type",) + details
            if details:
                result.changes.append(Change("changed", file, element_id, _local(now.tag),
                                             now.get("name", ""), details))
    forms = lambda p: {n: t for n, t in p.files.items() if n.endswith(".json")}  # noqa: E731
    old_forms, new_forms = forms(old), forms(new)
    for name in sorted(old_forms.keys() | new_forms.keys()):
        if name not in new_forms:
            result.changes.append(Change("removed", name, "", "form"))
        elif name not in old_forms:
            result.changes.append(Change("added", name, "", "form"))
        elif old_forms[name] != new_forms[name]:
            result.changes.append(Change("changed", name, "", "form", "",
                                         _field_changes(old_forms[name], new_forms[name])))
    return result


def _field_changes(old: str, new: str) -> tuple[str, ...]:
    try:
        a = json.loads(old).get("properties") or {}
        b = json.loads(new).get("properties") or {}
    except (ValueError, AttributeError):
        return ("content",)
    out = [f"+{k}" for k in b if k not in a] + [f"-{k}" for k in a if k not in b]
    out += [f"~{k}" for k in a if k in b and a[k] != b[k]]
    return tuple(out) or ("content",)
