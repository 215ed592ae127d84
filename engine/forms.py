"""Form data in a step: validating answers against the form's JSON Schema (with the messages
people read), putting answers into task data, and making values storable as JSON.

Messages are written "中文 (English)"; the web layer splits them at run time (`webui.i18n.label`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask

from .errors import FormError
from models.text import LONG_TEXT, problem, strings

if TYPE_CHECKING:
    from .package import Compiled


def validate(compiled: Compiled, form: str | None, data: dict[str, Any]) -> None:
    """Raise FormError (field -> message) if `data` violates the form's JSON Schema."""
    validator = compiled.validator(form) if form else None
    if validator is None:
        return
    errors: dict[str, str] = {}
    for error in _chosen(validator.iter_errors(data)):
        field = ".".join(str(p) for p in error.absolute_path)
        if error.validator in ("required", "dependencies", "dependentRequired"):
            # the missing field, with its object's path ("address.city"), bears the message
            missing = _missing(error)
            field = f"{field}.{missing}" if field and missing else missing or field
            message = _MESSAGES["required"]
        elif error.validator == "format":  # say which format: a date, an email address...
            message = _FORMATS.get(error.validator_value, _MESSAGES["format"])
        else:
            message = _MESSAGES.get(error.validator, error.message)
        errors.setdefault(field, message)
    # Every text answered follows the text rules (characters, blanks, a length even where
    # the schema sets none); the schema's maxLength is checked above.
    for field, text in strings(data):
        found = problem(text, limit=LONG_TEXT, required=False, multiline=True)
        if found:
            errors.setdefault(field, found)
    if errors:
        raise FormError(dict(sorted(errors.items())))


# Messages people read, "中文 (English)"; other validators keep jsonschema's own text.
_MESSAGES = {
    "required": "必填 (required)", "minLength": "不能为空 (must not be empty)",
    "enum": "请选择列表中的一项 (choose one of the options)",
    "const": "请选择列表中的一项 (choose one of the options)",
    "oneOf": "请选择列表中的一项 (choose one of the options)",
    "type": "格式不正确 (wrong type)", "format": "格式不正确 (wrong format)",
    "maxLength": "内容过长 (too long)", "minItems": "至少选择一项 (choose at least one)",
    "uniqueItems": "有重复项 (duplicates)", "minimum": "数值过小 (too small)",
    "maximum": "数值过大 (too large)",
}


_FORMATS = {
    "date": "请按 YYYY-MM-DD 输入日期 (enter a date as YYYY-MM-DD)",
    "date-time": "请按 YYYY-MM-DDThh:mm:ss+08:00 输入时间 (enter a date and time as "
                 "YYYY-MM-DDThh:mm:ss+08:00)",
    "time": "请按 hh:mm:ss+08:00 输入时间 (enter a time as hh:mm:ss+08:00)",
    "email": "请输入有效的电子邮箱 (enter a valid email address)",
}


def _chosen(errors):
    """Errors, with a failed `oneOf` (a schema dependency's branches, chosen by a field's value)
    replaced by the errors of the one branch whose choosing `const`/`enum` held, so that each
    stands beside its field ("org_name" required) rather than under the whole form."""
    for error in errors:
        if error.validator == "oneOf" and error.context:
            branches: dict[Any, list] = {}
            for sub in error.context:
                branches.setdefault(sub.relative_schema_path[0], []).append(sub)
            chosen = [subs for subs in branches.values()
                      if not any(sub.validator in ("const", "enum") for sub in subs)]
            if len(chosen) == 1:
                yield from _chosen(chosen[0])
                continue
        yield error


def _missing(error) -> str:
    """The first field a `required` or dependency error finds missing."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    wanted = error.validator_value
    if error.validator != "required":  # {field: [fields it needs]} (a schema dependency is
        wanted = [n for key, needs in (wanted or {}).items()  # reported by its own keywords)
                  if key in instance and isinstance(needs, list) for n in needs]
    return next((str(n) for n in wanted or [] if n not in instance), "")



def put_form_data(task, data: dict[str, Any]) -> None:
    """Form answers become task data; a multi-instance child puts them in its output item,
    together with the input item it was for (so the collection says which answer is whose)."""
    parent = task.parent.task_spec if task.parent is not None else None
    if isinstance(parent, MultiInstanceTask) and parent.output_item is not None:
        answer = dict(data)
        if parent.input_item is not None:  # pair each answer with the item it answers
            answer.setdefault(parent.input_item.bpmn_id, task.data.get(parent.input_item.bpmn_id))
        task.data[parent.output_item.bpmn_id] = answer
    else:
        task.data.update(data)


def jsonable(value):
    """`value` with every key a string and every leaf JSON can hold (others as their str)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
