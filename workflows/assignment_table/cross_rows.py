"""The checks across the rows of one file: numbers unique, and the 并案 references consistent.

They run once every row has been checked on its own (``checking``), on what those checks found.
"""
from __future__ import annotations

from .cells import CellChecker, Parsed


def check_file(checker: CellChecker, parsed: list[Parsed]) -> None:
    """Duplicate numbers, and each 并案 main row's merged rows: in the file, merged, not
    chained, claimed once, with the same lead unit; a 并案 row must list or be listed."""
    by_number: dict[int, Parsed] = {}
    for p in parsed:
        if p.number is None:
            continue
        first = by_number.get(p.number)
        if first is None:
            by_number[p.number] = p
        elif "number" not in p.errors:
            checker.error(p, "number", f"建议号{p.number}与第{first.row}行重复",
                          f"number {p.number} duplicates row {first.row}")

    mentioned = {n for p in parsed for n in p.merged_with}
    claimed: dict[int, Parsed] = {}
    for p in parsed:
        if not p.merged_with or not p.merged_ok or p.mode != "merged":
            continue
        for n in p.merged_with:
            q = by_number.get(n)
            if n == p.number:
                checker.error(p, "merged_with", f"不能与自身并案：{n}",
                              f"a suggestion cannot be merged with itself: {n}")
            elif q is None:
                checker.error(p, "merged_with", f"并案建议号不在本文件中：{n}",
                              f"merged suggestion number not in this file: {n}")
            elif q.mode is not None and q.mode != "merged":
                checker.error(p, "merged_with", f"第{n}号建议的办理方式不是并案",
                              f"suggestion {n} does not have the merged handling mode")
            elif q.merged_with:
                checker.error(p, "merged_with",
                              f"第{n}号建议本身填写了并案建议号，不能多级并案",
                              f"suggestion {n} lists merged suggestions itself "
                              f"(no chains)")
            elif n in claimed:
                checker.error(p, "merged_with",
                              f"第{n}号建议已并入第{claimed[n].number}号建议",
                              f"suggestion {n} is already merged into "
                              f"{claimed[n].number}")
            else:
                claimed[n] = p
                if p.lead_ok and q.lead_ok and p.lead_code != q.lead_code:
                    checker.error(q, "lead_unit",
                                  f"主办单位与并案主建议第{p.number}号不一致",
                                  f"lead unit differs from the main merged suggestion "
                                  f"{p.number}")
    for p in parsed:
        if p.mode == "merged" and not p.merged_with and "merged_with" not in p.errors \
                and (p.number is None or p.number not in mentioned):
            checker.error(p, "merged_with",
                          "并案建议须填写并案建议号，或被其他并案建议列入",
                          "a merged suggestion must list merged suggestion numbers or be "
                          "listed by another merged suggestion")

