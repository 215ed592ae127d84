"""Which XML vocabularies a deployed BPMN or DMN file may use: an allow-list of namespaces.

An uploaded file is data for SpiffWorkflow and for bpmn-js, but a browser that renders it as XML
runs what it recognises: an XHTML `<script>`, an SVG `onload`, an `<?xml-stylesheet?>` (XSLT that
writes script). BPMN's `extensionElements` and DI's `extension` accept elements of any namespace,
so SpiffWorkflow's XSD validation lets them through. This check refuses every element outside the
vocabularies the engine and the editors read, and every processing instruction.

Attributes: an attribute's meaning comes from its element, so a foreign attribute on an allowed
element is inert to browsers and to bpmn-js (which keeps it without reading it) - the danger is a
foreign *element*. We still take attributes from an allow-list rather than accept any namespace:
a few attribute vocabularies are read on any element by some XML consumers (XLink's `href`), and
the ones real files carry are known: `xsi:type` on expressions, `xml:lang`, bpmn-js's colours
(`bioc:`, `color:`) and Camunda Modeler's `modeler:executionPlatform`. Allowing another is one
line.
"""
from __future__ import annotations

from lxml import etree

from .errors import Problem

BPMN_MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMN_DI = "http://www.omg.org/spec/BPMN/20100524/DI"
DD_DC = "http://www.omg.org/spec/DD/20100524/DC"
DD_DI = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"

# The DMN versions SpiffWorkflow 3.2 validates (SpiffWorkflow.dmn.parser.BpmnDmnParser.SCHEMAS:
# 1.1, 1.2, 1.3) with the diagram vocabularies of each: DMNDI, DMN's own DI and DC (1.2 and 1.3),
# and bpmn.io's `biodi` that holds the layout of DMN 1.1 files written by dmn-js / Camunda Modeler
# before version 4 (geometry only).
DMN_VOCABULARIES = frozenset({
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/DMNDI/",
    "https://www.omg.org/spec/DMN/20191111/DMNDI/",
    "http://www.omg.org/spec/DMN/20180521/DI/",
    "http://www.omg.org/spec/DMN/20180521/DC/",
    "http://bpmn.io/schema/dmn/biodi/1.0",
})
# A BPMN file: the model, its diagram interchange, and SpiffWorkflow's extensions (properties,
# pre/post scripts, service-task operators, ...). SpiffWorkflow reads nothing else, and neither
# bpmn-js's modeler here (bpmn-moddle: bpmn, bpmndi, dc, di; colours are attributes).
BPMN_VOCABULARIES = frozenset({BPMN_MODEL, BPMN_DI, DD_DC, DD_DI, SPIFF})

INERT_ATTRIBUTES = frozenset({
    "http://www.w3.org/XML/1998/namespace",          # xml:lang, xml:space
    "http://www.w3.org/2001/XMLSchema-instance",     # xsi:type="bpmn:tFormalExpression"
    "http://bpmn.io/schema/bpmn/biocolor/1.0",       # bioc:stroke / bioc:fill (bpmn-js)
    "http://www.omg.org/spec/BPMN/non-normative/color/1.0",  # color:background-color
    "http://camunda.org/schema/modeler/1.0",         # modeler:executionPlatform
})


def vocabularies(name: str) -> frozenset[str]:
    """The element namespaces a file of this name may use."""
    return DMN_VOCABULARIES if name.endswith(".dmn") else BPMN_VOCABULARIES


def check(name: str, root: etree._Element) -> list[Problem]:
    """Every foreign element (reported once, with its content), foreign attribute and processing
    instruction in the file, each with the id of the nearest BPMN/DMN element around it."""
    allowed = vocabularies(name)
    kind = "DMN" if name.endswith(".dmn") else "BPMN"
    problems = []
    for sibling in (*root.itersiblings(preceding=True), *root.itersiblings()):
        if isinstance(sibling, etree._ProcessingInstruction):
            problems.append(Problem(name, "", _pi_reason(sibling)))
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, etree._ProcessingInstruction):
            problems.append(Problem(name, _owner_id(node.getparent(), allowed), _pi_reason(node)))
            continue
        if not isinstance(node.tag, str):  # comments: inert
            continue
        namespace = etree.QName(node).namespace
        if namespace not in allowed:
            # Its content is not looked at: the whole element is refused.
            problems.append(Problem(name, _owner_id(node.getparent(), allowed), (
                f"element <{_shown(node.prefix, node.tag)}> is not allowed: "
                f"{_namespace(namespace)}; a {kind} file may hold only "
                f"{'DMN' if kind == 'DMN' else 'BPMN, BPMN DI, DC, DI and spiffworkflow'} "
                "elements")))
            continue
        for attribute in node.attrib:
            attr_ns = etree.QName(attribute).namespace
            if attr_ns is not None and attr_ns not in allowed and attr_ns not in INERT_ATTRIBUTES:
                prefix = next((p for p, uri in node.nsmap.items() if uri == attr_ns), None)
                problems.append(Problem(name, _owner_id(node, allowed), (
                    f"attribute {_shown(prefix, attribute)} is not allowed: "
                    f"{_namespace(attr_ns)}")))
        stack.extend(reversed(node))
    return problems


def _owner_id(element, allowed: frozenset[str]) -> str:
    """The id of `element` or its nearest ancestor in an allowed namespace (a spiffworkflow
    extension's own id is not an element a designer can select, so it does not count)."""
    while element is not None:
        namespace = etree.QName(element).namespace
        if element.get("id") and namespace in allowed and namespace != SPIFF:
            return element.get("id")
        element = element.getparent()
    return ""


def _shown(prefix: str | None, tag: str) -> str:
    local = etree.QName(tag).localname
    return f"{prefix}:{local}" if prefix else local


def _namespace(uri: str | None) -> str:
    return f"namespace {uri}" if uri else "it has no namespace"


def _pi_reason(pi) -> str:
    return (f"processing instruction <?{pi.target}?> is not allowed "
            "(a browser may run an xml-stylesheet)")
