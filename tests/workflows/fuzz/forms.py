"""Random, valid, domain-meaningful answers to a task's form, derived from its JSON Schema.

Every property of the schema gets a value from its type (a `oneOf` of constants: one of them;
boolean; `format: date`: a date near the clock; text: a plausible Chinese sentence within
`maxLength`). Fields whose meaning the schema cannot tell (which units, which divisions, which
suggestions to merge) take their values from the province and the case (`Context`); decisions
that need a companion field (a return needs a reason, an extension needs a reason) get it.
Optional properties are left out now and then, as people do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from hypothesis import strategies as st

TEXTS = ["已将建议纳入年度工作计划，安排专项资金推进落实。", "经研究，拟分两期实施。",
         "同意主办单位意见，将在职责范围内配合推进。", "已与代表当面沟通，代表认可办理思路。",
         "涉及多部门职能，需上级统筹协调。", "项目已完成可行性研究，正在报批。",
         "数据需核实后重新表述。", "措辞需修改，请补充时间表。", "已电话督促承办单位。"]
SHORT = ["刘芳", "张主任", "综合处全体", "处室负责同志、代表本人", "0731-88880000", "函〔2026〕12号"]


@dataclass
class Context:
    """What an answer may refer to: the province's units and divisions, the case's units, other
    suggestions still waiting to be assigned (to merge), the leaders, the clock."""

    now: datetime
    units: dict[str, list[str]]
    case_units: set[str] = field(default_factory=set)
    unit: str | None = None
    mergeable: list[int] = field(default_factory=list)
    leaders: tuple[str, ...] = ("leader", "leader2")


Draw = Callable[[st.SearchStrategy], Any]


def _text(draw: Draw, schema: dict[str, Any], short: bool = False) -> str:
    value = draw(st.sampled_from(SHORT if short else TEXTS))
    limit = schema.get("maxLength")
    return value[:limit] if limit else value


def from_schema(draw: Draw, name: str, schema: dict[str, Any], ctx: Context) -> Any:
    """A value for one property from its schema alone."""
    if "oneOf" in schema and all("const" in o for o in schema["oneOf"]):
        return draw(st.sampled_from([o["const"] for o in schema["oneOf"]]))
    if "enum" in schema:
        return draw(st.sampled_from(schema["enum"]))
    kind = schema.get("type")
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "integer":
        return draw(st.integers(schema.get("minimum", 0), schema.get("maximum", 100)))
    if kind == "array":
        return []
    if schema.get("format") == "date":
        return (ctx.now - timedelta(days=draw(st.integers(0, 20)))).date().isoformat()
    return _text(draw, schema, short=(schema.get("maxLength") or 99) <= 64)


def _other_units(ctx: Context) -> list[str]:
    return sorted(set(ctx.units) - ctx.case_units)


def _assign(draw: Draw, ctx: Context) -> dict[str, Any]:
    codes = sorted(ctx.units)
    modes = ["sole", "lead_co", "separate"] + (["merged"] if ctx.mergeable else [])
    mode = draw(st.sampled_from(modes))
    data: dict[str, Any] = {"mode": mode}
    if mode == "separate":
        data["units"] = draw(st.lists(st.sampled_from(codes), min_size=2, max_size=4,
                                      unique=True))
    else:
        data["lead_unit"] = draw(st.sampled_from(codes))
        others = [c for c in codes if c != data["lead_unit"]]
        # 主办+会办 needs at least one co-unit (the schema says so); 并案 may have none
        data["co_units"] = [] if mode == "sole" else draw(
            st.lists(st.sampled_from(others), min_size=1 if mode == "lead_co" else 0,
                     max_size=4, unique=True))
    if mode == "merged":
        data["merged_numbers"] = draw(st.lists(st.sampled_from(ctx.mergeable), min_size=1,
                                               max_size=2, unique=True))
    data["key_suggestion"] = draw(st.booleans())
    if data["key_suggestion"]:
        data["supervising_leader"] = draw(st.sampled_from(ctx.leaders))
        if draw(st.booleans()):
            data["special_committee"] = "财政经济委员会"
    return data


def _return(prefix: str) -> Callable[[Draw, Context, dict], dict]:
    decision = f"{prefix}decision"

    def fix(draw: Draw, ctx: Context, data: dict) -> dict:
        if data.get(decision) == "request_return":
            data[f"{prefix}return_reason"] = "不属于本单位职能"
            others = _other_units(ctx)
            if others and draw(st.booleans()):
                data[f"{prefix}suggested_unit"] = draw(st.sampled_from(others))
            else:
                data.pop(f"{prefix}suggested_unit", None)
        else:
            data.pop(f"{prefix}return_reason", None)
            data.pop(f"{prefix}suggested_unit", None)
        return data
    return fix


def _decide_return(draw: Draw, ctx: Context, data: dict) -> dict:
    others = _other_units(ctx)
    if data.get("return_decision") == "reassign" and others:
        data["new_unit"] = draw(st.sampled_from(others))
    else:
        data["return_decision"] = "refuse"
        data.pop("new_unit", None)
    return data


def _distribute(draw: Draw, ctx: Context, data: dict) -> dict:
    divisions = ctx.units.get(ctx.unit or "", []) or ["综合处"]
    lead = draw(st.sampled_from(divisions))
    rest = [d for d in divisions if d != lead]
    return {"lead_division": lead,
            "co_divisions": draw(st.lists(st.sampled_from(rest), max_size=2, unique=True))
            if rest else []}


def _draft(draw: Draw, ctx: Context, data: dict) -> dict:
    # mostly submit: extensions and coordination requests are the less-travelled paths
    data["action"] = draw(st.sampled_from(["submit"] * 4 + ["request_extension",
                                                            "request_coordination"]))
    for action, key, reason in (("request_extension", "extension_reason", "需跨年度安排资金"),
                                ("request_coordination", "coordination_reason", "涉及多部门")):
        if data["action"] == action:
            data[key] = reason
        else:
            data.pop(key, None)
    data["answer_class"] = draw(st.sampled_from(["A", "A", "B", "B", "C", "D"]))
    return data


def _rating(draw: Draw, ctx: Context, data: dict) -> dict:
    # dissatisfied often enough that re-handling and the second dissatisfied happen
    data["satisfaction"] = draw(st.sampled_from(
        ["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "dissatisfied"]))
    return data


def _send_back_reason(key: str, reason: str) -> Callable[[Draw, Context, dict], dict]:
    def fix(draw: Draw, ctx: Context, data: dict) -> dict:
        decision = [k for k in data if k.endswith("_decision")]
        if decision and data[decision[0]] == "send_back":
            data[key] = reason
        return data
    return fix


def _sometimes_approve(key: str) -> Callable[[Draw, Context, dict], dict]:
    """Send-backs are possible but rarer than approvals, so that cases move on."""
    def fix(draw: Draw, ctx: Context, data: dict) -> dict:
        data[key] = draw(st.sampled_from(["approve", "approve", "approve", "send_back"]))
        return data
    return fix


def _chain(*fixes):
    def fix(draw: Draw, ctx: Context, data: dict) -> dict:
        for each in fixes:
            data = each(draw, ctx, data)
        return data
    return fix


def _follow_up(draw: Draw, ctx: Context, data: dict) -> dict:
    data["follow_up_done"] = draw(st.sampled_from([True, True, False]))
    return data


# Per task (BPMN id): what the schema cannot say.
DOMAIN: dict[str, Callable[[Draw, Context, dict], dict]] = {
    "acknowledge": _return(""),
    "co_acknowledge": _return("co_"),
    "decide_return": _decide_return,
    "decide_co_return": _decide_return,
    "distribute": _distribute,
    "draft_reply": _draft,
    "feedback": _rating,
    "feedback_again": _rating,
    "co_feedback": _rating,
    "review": _chain(_sometimes_approve("review_decision"),
                     _send_back_reason("review_reason", "数据需核实")),
    "sign_off": _chain(_sometimes_approve("sign_decision"),
                       _send_back_reason("sign_reason", "措辞需修改")),
    "leader_review": _chain(_sometimes_approve("leader_decision"),
                            _send_back_reason("leader_note", "请补充时间表")),
    "follow_up_report": _follow_up,
}
# Mostly acknowledge rather than return: returns happen, but a walk should also reach a reply.
BIASED = {"acknowledge": ("decision", ["acknowledge"] * 3 + ["request_return"]),
          "co_acknowledge": ("co_decision", ["acknowledge"] * 3 + ["request_return"]),
          "approve_extension": ("extension_decision", ["approve", "refuse"])}


def _conditional(draw: Draw, schema: dict[str, Any], data: dict, ctx: Context) -> None:
    """The schema's `allOf` of `if`/`then`: a field that becomes required gets a value."""
    properties = schema.get("properties") or {}
    for rule in schema.get("allOf") or []:
        condition = (rule.get("if") or {}).get("properties") or {}
        if condition and all(data.get(k) == v.get("const") for k, v in condition.items()):
            for name in (rule.get("then") or {}).get("required") or []:
                if not data.get(name):
                    data[name] = from_schema(draw, name, properties.get(name, {}), ctx)


def answer(draw: Draw, bpmn_id: str, schema: dict[str, Any] | None, ctx: Context) -> dict:
    """A valid random answer to the task `bpmn_id` whose form is `schema`."""
    if bpmn_id == "assign":
        return _assign(draw, ctx)
    schema = schema or {}
    required = set(schema.get("required") or [])
    data: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if name in required or draw(st.integers(0, 3)) > 0:
            data[name] = from_schema(draw, name, prop, ctx)
    if bpmn_id in BIASED:
        key, choices = BIASED[bpmn_id]
        data[key] = draw(st.sampled_from(choices))
    _conditional(draw, schema, data, ctx)
    fix = DOMAIN.get(bpmn_id)
    return fix(draw, ctx, data) if fix else data
