"""Every visible string has an English translation, and codes have both languages."""
from __future__ import annotations

import re
from pathlib import Path

from webui.i18n import CATALOG, STEPS, TERMS

WEBUI = Path(__file__).resolve().parents[2] / "webui"
CALL = re.compile(r'''(?:\b_|gettext)\(\s*(["'])(.+?)\1''')


def source_strings() -> set[str]:
    found = set()
    for path in [*WEBUI.rglob("*.html"), *WEBUI.rglob("*.py")]:
        if "node_modules" not in path.parts:
            found |= {m.group(2) for m in CALL.finditer(path.read_text(encoding="utf-8"))}
    return found


def test_every_string_in_templates_and_views_is_translated():
    missing = sorted(source_strings() - set(CATALOG["en"]))
    assert missing == []


def test_the_catalogue_has_no_stale_entries():
    assert sorted(set(CATALOG["en"]) - source_strings()) == []


def test_every_step_of_the_process_has_a_name_in_both_languages():
    bpmn = (WEBUI.parent / "bpmn" / "unit_handling.bpmn").read_text(encoding="utf-8")
    user_tasks = set(re.findall(r'<bpmn:userTask id="([^"]+)"', bpmn))
    assert user_tasks - set(STEPS) == set()
    assert all(zh and en for zh, en in [*TERMS.values(), *STEPS.values()])
