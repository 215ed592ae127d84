"""Forms from JSON Schema: the fields to render (their parsing is in `form_parsing`).

How a field is shown follows the form's uiSchema (react-jsonschema-form's conventions, as in
SpiffArena: `ui:widget`, `ui:order`, `ui:options`...), never the field's name; nested objects,
repeating rows and conditional fields (`if`/`then`/`else`, `dependencies`) are read back into
nested data, and a conditional field whose condition does not hold is dropped. The same
`fields()` serve the inbox task page and the designer's live preview, and `form_parsing`
reads a posted form back along the same fields, so what is shown is exactly what is read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

# The form's own controls (the buttons, the file input) are named in a namespace no schema field
# can take: deploy refuses a field name that is not a plain identifier starting with a letter
# (engine.checks.FIELD_NAME), so a field called `action` never answers which button was pressed.
BUTTON = "_action"
FILE = "_file"

@dataclass
class Field:
    """One input of a form (or a group of them: a nested object, repeating rows)."""

    name: str  # the property's name in its object
    kind: str  # text | textarea | select | radio | checkbox | checkboxes | number | date | email
    #            | list | hidden | object (a fieldset) | rows (an array of objects)
    title: str
    description: str = ""
    required: bool = False
    options: list[tuple[Any, str]] = field(default_factory=list)
    item_type: str = "string"
    path: str = ""  # the name submitted: "address.city"; in a repeating row, within the row
    help: str = ""
    placeholder: str = ""
    rows: int = 5  # lines of a textarea
    children: list["Field"] = field(default_factory=list)  # an object's fields, a row's fields
    addable: bool = True
    removable: bool = True
    max_rows: int = 0
    # A conditional field: shown while any alternative holds, each a list of clauses
    # {"f": field path, "in": [values] or None (= has a value), "absent_ok", "not"} the browser
    # checks; the server decides with `condition` (the JSON Schema itself) on the object's data.
    shown_when: list | None = None
    condition: Callable[[dict], bool] | None = field(default=None, repr=False, compare=False)
    prop: dict = field(default_factory=dict, repr=False, compare=False)


OptionSource = Callable[[str], list[tuple[Any, str]] | None]  # choices source name -> options
MAX_ROWS = 100  # repeating rows a form takes, whatever maxItems says
WIDGETS_FOR_CHOICES = ("radio", "select")


def _options(schema: dict) -> list[tuple[Any, str]]:
    if isinstance(schema.get("oneOf"), list):
        return [(o.get("const"), str(o.get("title", o.get("const")))) for o in schema["oneOf"]
                if isinstance(o, dict) and "const" in o]
    if isinstance(schema.get("enum"), list):
        names = schema.get("enumNames")
        if isinstance(names, list) and len(names) == len(schema["enum"]):
            return [(v, str(n)) for v, n in zip(schema["enum"], names)]
        return [(v, str(v)) for v in schema["enum"]]
    return []


def as_dict(value: Any) -> dict:
    """A subschema as a dict: a schema being edited in the designer may hold anything
    (`true`, a number) where a property or item is expected."""
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def fields(schema: dict | None, options: OptionSource | None = None,
           ui: dict | None = None) -> list[Field]:
    """The inputs of a form schema, in property order (or the uiSchema's `ui:order`)."""
    if not schema:
        return []
    return _object_fields(as_dict(schema), as_dict(ui), "", options, 0)


def _ordered(names: list[str], order: Any) -> list[str]:
    """RJSF's `ui:order`: the names listed first (in that order), the rest where "*" stands
    (at the end without one); names the form lacks are ignored (deploy refuses them)."""
    if not isinstance(order, list):
        return names
    listed = [n for n in order if isinstance(n, str) and n in names]
    rest = [n for n in names if n not in listed]
    out = []
    for n in order:
        if n == "*":
            out += rest
            rest = []
        elif n in listed and n not in out:
            out.append(n)
    return out + rest


def _object_fields(schema: dict, ui: dict, base: str, options: OptionSource | None,
                   depth: int) -> list[Field]:
    if depth > 8:  # a designer's schema may nest without end; no form does
        return []
    required = schema.get("required")
    required = set(r for r in required if isinstance(r, str)) if isinstance(required, list) \
        else set()
    props = {k: as_dict(v) for k, v in as_dict(schema.get("properties")).items()}
    conditional = _conditional(schema, props)
    out = []
    for name in _ordered([*props, *(n for n in conditional if n not in props)],
                         ui.get("ui:order")):
        prop = props[name] if name in props else conditional[name][0]
        f = _field(name, prop, as_dict(ui.get(name)), base, options, depth)
        f.required = name in required
        if name in conditional:
            _, shown_when, f.condition, branch_required = conditional[name]
            # the browser finds the controlling field by its submitted name ("address.kind")
            f.shown_when = None if shown_when is None else [
                [{**c, "f": f"{base}{c['f']}"} for c in alternative]
                for alternative in shown_when]
            f.required = f.required or branch_required
        out.append(f)
    return out


def _field(name: str, prop: dict, ui: dict, base: str, options: OptionSource | None,
           depth: int) -> Field:
    path = f"{base}{name}"
    widget = ui.get("ui:widget")
    ui_options = as_dict(ui.get("ui:options"))
    source = ui_options.get("choices")
    extra = options(source) if options and isinstance(source, str) else None
    kind, choices, item_type, children = "text", _options(prop), "string", []
    typ = prop.get("type")
    items = as_dict(prop.get("items"))
    if widget == "hidden":
        kind = "hidden"
    elif typ == "object":
        kind, children = "object", _object_fields(prop, ui, f"{path}.", options, depth + 1)
    elif typ == "array" and items.get("type") == "object":
        kind = "rows"
        children = _object_fields(items, as_dict(ui.get("items")), "", options, depth + 1)
    elif typ == "boolean":
        kind = "checkbox"
    elif typ in ("integer", "number"):
        kind = "number"
    elif typ == "array":
        item_type = items.get("type") if items.get("type") in ("integer", "number") \
            else "string"
        choices = _options(items) or extra or []
        kind = "checkboxes" if choices else "list"
    elif choices:
        kind = widget if widget in WIDGETS_FOR_CHOICES else \
            "radio" if len(choices) <= 4 else "select"
    elif extra:
        kind, choices = (widget if widget in WIDGETS_FOR_CHOICES else "select"), extra
    elif widget == "date" or prop.get("format") == "date":
        kind = "date"
    elif widget == "textarea" or _int(prop.get("maxLength")) > 200:
        kind = "textarea"
    elif widget == "email" or prop.get("format") == "email":
        kind = "email"
    rows = ui_options.get("rows")
    max_items = _int(prop.get("maxItems"))
    return Field(
        name, kind, _str(ui.get("ui:title")) or str(prop.get("title", name)),
        _str(ui.get("ui:description")) or str(prop.get("description", "")), False, choices,
        item_type, path, help=_str(ui.get("ui:help")), placeholder=_str(ui.get("ui:placeholder")),
        rows=rows if isinstance(rows, int) and not isinstance(rows, bool) and 1 <= rows <= 50
        else 5, children=children, addable=ui_options.get("addable") is not False,
        removable=ui_options.get("removable") is not False,
        max_rows=min(max_items, MAX_ROWS) if max_items > 0 else MAX_ROWS, prop=prop)


# Conditional fields, in react-jsonschema-form's way: a field the object's own `properties` lack
# but a conditional branch adds -- `then`/`else` of an `if` (also inside `allOf`), or a schema
# `dependencies` entry (with `oneOf` branches chosen by the controlling field's value) -- is
# shown only while its branch applies; otherwise it is not shown, not validated, not kept.

def _conditional(schema: dict, props: dict) -> dict[str, tuple[dict, list | None, Callable, bool]]:
    """Fields added by branches: name -> (its schema, browser clauses, server test, required
    in its branch). A field added by several branches shows while any of them applies."""
    found: dict[str, list] = {}

    def add(branch: dict, clauses: list | None, test: Callable[[dict], bool]) -> None:
        branch_required = branch.get("required") if isinstance(branch.get("required"), list) \
            else []
        for name, prop in as_dict(branch.get("properties")).items():
            if name in props or not isinstance(name, str):
                continue
            entry = found.setdefault(name, [as_dict(prop), [], [], True])
            entry[1] = None if entry[1] is None or clauses is None else entry[1] + clauses
            entry[2].append(test)
            entry[3] = entry[3] and name in branch_required

    rules = [schema, *[r for r in schema.get("allOf") or [] if isinstance(r, dict)]]
    for rule in rules:
        condition = rule.get("if")
        if not isinstance(condition, (dict, bool)):
            continue
        holds = _schema_test(condition)
        clauses = _clauses(condition)
        if isinstance(rule.get("then"), dict):
            add(rule["then"], None if clauses is None else [clauses], holds)
        if isinstance(rule.get("else"), dict):
            negated = None if clauses is None else [[{**c, "not": True}] for c in clauses]
            add(rule["else"], negated, lambda data, holds=holds: not holds(data))
    for key, dep in as_dict(schema.get("dependencies")).items():
        if not isinstance(dep, dict):
            continue
        present = {"f": key, "in": None, "absent_ok": False, "not": False}
        add(dep, [[present]], lambda data, key=key: key in data)
        for branch in dep.get("oneOf") or []:
            if not isinstance(branch, dict):
                continue
            chooser = {"properties": {key: as_dict(branch.get("properties")).get(key, {})},
                       "required": [key]}
            clauses = _clauses(chooser)
            add(branch, None if clauses is None else [clauses], _schema_test(chooser))
    out = {}
    for name, (prop, clauses, tests, required) in found.items():
        out[name] = (prop, clauses, lambda data, tests=tests: any(t(data) for t in tests),
                     required)
    return out


def defaults(schema: dict | None) -> dict[str, Any]:
    """The values a form opens with before anything is typed: each field's JSON Schema
    `default` (a hidden field's value, say), nested objects included — as RJSF fills them."""
    found: dict[str, Any] = {}
    for name, prop in as_dict((schema or {}).get("properties")).items():
        prop = as_dict(prop)
        if "default" in prop:
            found[name] = prop["default"]
        elif prop.get("type") == "object" and (inner := defaults(prop)):
            found[name] = inner
    return found


def _schema_test(condition: Any) -> Callable[[dict], bool]:
    """Whether an object's data satisfies a condition schema (jsonschema decides, as it does
    when the engine validates the submission)."""
    from jsonschema import Draft202012Validator
    try:
        validator = Draft202012Validator(condition)
        validator.is_valid({})
    except Exception:  # a designer's half-written schema: the branch never applies
        return lambda data: False
    return validator.is_valid


def _clauses(condition: Any) -> list | None:
    """An `if` schema as clauses the browser checks (all must hold), or None where it says
    more than "field has one of these values" (the browser then shows the field; the server
    still decides)."""
    if not isinstance(condition, dict) or set(condition) - {"properties", "required", "type"}:
        return None
    required = condition.get("required") or []
    clauses = []
    for name, test in as_dict(condition.get("properties")).items():
        test = as_dict(test)
        if set(test) == {"const"}:
            values = [test["const"]]
        elif set(test) == {"enum"} and isinstance(test["enum"], list):
            values = list(test["enum"])
        elif not test:
            values = None
        else:
            return None
        clauses.append({"f": name, "in": values, "absent_ok": name not in required,
                        "not": False})
    for name in required:
        if isinstance(name, str) and name not in as_dict(condition.get("properties")):
            clauses.append({"f": name, "in": None, "absent_ok": False, "not": False})
    return clauses
