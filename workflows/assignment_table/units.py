"""The handling-unit checks of a row (主办单位, 会办单位), which depend on its handling mode.

Split from the other row checks (``checking``) because they are the longest: which cell a unit
goes in, how many units each mode takes, and which cell a duplicate is reported on.
"""
from __future__ import annotations

from typing import Callable, Optional

from .cells import CellChecker, Parsed
from .columns import MODE_LABELS, split_list


def _resolve(unit_code: Callable[[str], Optional[str]], names: list[str]
             ) -> tuple[list[str], list[str]]:
    """Unit names/codes → (codes of the known ones, the unknown names)."""
    codes, unknown = [], []
    for name in names:
        code = unit_code(name)
        if code is None:
            unknown.append(name)
        else:
            codes.append(code)
    return codes, unknown


def check_units(checker: CellChecker, p: Parsed) -> None:
    """The 主办单位 and 会办单位 cells: known units, none twice, as many as the mode takes;
    sets the lead unit's code and the co-handling units' codes."""
    lead_text = checker.text(p, "lead_unit")
    co_names = split_list(checker.text(p, "co_units") or "")
    lead_names = split_list(lead_text) if lead_text else []
    mode = p.mode

    lead_codes, lead_unknown = _resolve(checker.unit_code, lead_names)
    co_codes, co_unknown = _resolve(checker.unit_code, co_names)
    if lead_unknown:
        checker.error(p, "lead_unit", f"未知的承办单位：{'、'.join(lead_unknown)}",
                      f"unknown handling unit: {', '.join(lead_unknown)}")
    if co_unknown:
        checker.error(p, "co_units", f"未知的承办单位：{'、'.join(co_unknown)}",
                      f"unknown handling unit: {', '.join(co_unknown)}")

    if lead_text == "":
        if mode == "separate":
            checker.error(p, "lead_unit", "分办须在主办单位列填写第一个承办单位",
                          "separate handling: put the first unit in the lead unit column")
        else:
            checker.error(p, "lead_unit", "主办单位不能为空", "lead unit is required")
    elif len(lead_names) > 1 and mode is not None and mode != "separate":
        checker.error(p, "lead_unit",
                      f"{MODE_LABELS[mode]}只能填写一个主办单位：{lead_text}",
                      f"{mode}: only one lead unit allowed: {lead_text}")

    # duplicates: lead-cell duplicates on the lead cell, the rest on the co cell
    seen: dict[str, str] = {}
    for name, cell in [(n, "lead_unit") for n in lead_names] + \
                      [(n, "co_units") for n in co_names]:
        code = checker.unit_code(name)
        if code is None:
            continue
        if code in seen:
            first = seen[code]
            if cell == "co_units" and first == "lead" and mode != "separate":
                checker.error(p, cell, f"{name}不能同时是主办单位和会办单位",
                              f"{name} cannot be both lead and co-handling unit")
            else:
                checker.error(p, cell, f"承办单位重复：{name}",
                              f"handling unit listed twice: {name}")
        else:
            seen[code] = "lead" if cell == "lead_unit" else "co"

    if mode == "sole" and co_names:
        checker.error(p, "co_units", "独办不能填写会办单位",
                      "sole handling takes no co-handling units")
    if mode == "lead_co" and not co_names:
        checker.error(p, "co_units", "主办+会办须至少填写一个会办单位",
                      "lead + co-handling needs at least one co-handling unit")
    if mode == "separate" and lead_text is not None and len(lead_names) + len(co_names) < 2:
        checker.error(p, "co_units", "分办须至少填写两个承办单位",
                      "separate handling needs at least two units")

    all_codes = list(dict.fromkeys(lead_codes + co_codes))
    if mode == "separate":
        p.lead_code = all_codes[0] if all_codes else None
        p.values["co_units"] = all_codes[1:]
    else:
        p.lead_code = lead_codes[0] if lead_codes else None
        p.values["co_units"] = [c for c in dict.fromkeys(co_codes) if c != p.lead_code]
    p.lead_ok = p.lead_code is not None and "lead_unit" not in p.errors

