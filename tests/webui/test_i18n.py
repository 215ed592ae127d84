"""Every visible string has an English translation, and codes have both languages."""
from __future__ import annotations

import re

import pytest
from pathlib import Path

from webui.i18n import CATALOG, TERMS
from workflows import labels

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
    assert sorted(set(CATALOG["en"]) - source_strings() - set(element_keys())) == []


BPMN = sorted((WEBUI.parent / "bpmn").glob("*.bpmn"))
ELEMENT = re.compile(r'<bpmn:(\w+) id="([^"]+)"[^>]*? name="([^"]*)"')


def elements() -> list[tuple[str, str, str, str]]:
    """(file, tag, id, name) of every named element of the shipped process."""
    return [(path.name, tag, id_, name) for path in BPMN
            for tag, id_, name in ELEMENT.findall(path.read_text(encoding="utf-8"))]


def element_keys() -> set[str]:
    """The catalogue keys the shipped process may use: "step:<id>", "step:<process>/<id>",
    "lane:<name>"."""
    keys = {f"lane:{name}" for _f, tag, _i, name in elements() if tag == "lane"}
    for path in BPMN:
        process = path.stem
        keys |= {f"step:{id_}" for f, tag, id_, _n in elements() if f == path.name}
        keys |= {f"step:{process}/{id_}" for f, tag, id_, _n in elements() if f == path.name}
    return keys


def test_every_code_has_a_name_in_both_languages():
    assert all(zh and en for zh, en in TERMS.values())


def test_every_human_step_of_the_process_has_an_english_name():
    """A designer adding a step to bpmn/ sees here that the English catalogue lacks it."""
    human = [(id_, name) for _f, tag, id_, name in elements()
             if tag in ("userTask", "manualTask")]
    assert len(human) > 20
    assert [id_ for id_, _n in human if f"step:{id_}" not in CATALOG["en"]] == []
    for id_, name in human:
        zh, en = labels.step(id_, name)
        assert zh == name and en == CATALOG["en"][f"step:{id_}"] and en != zh


def test_the_shipped_names_are_chinese_only_and_every_named_element_has_an_english_name():
    glossed = [(id_, name) for _f, tag, id_, name in elements()
               if tag != "lane" and re.search(r"[(（][A-Za-z]", name)]
    assert glossed == []
    for path in BPMN:
        english = labels.diagram(path.read_text(encoding="utf-8"), english=True)
        chinese = labels.diagram(path.read_text(encoding="utf-8"), english=False)
        assert english.keys() == chinese.keys() and len(english) > 5
        assert [i for i, text in english.items() if re.search(r"[\u4e00-\u9fff]", text)] == []
        latin = re.compile(r"[A-Za-z]{2,}")  # "B类件" is Chinese
        assert [i for i, text in chinese.items() if latin.search(text)] == []


def test_a_step_without_an_english_name_falls_back_to_its_chinese_name():
    assert labels.step("no_such_step", "新环节") == ("新环节", "新环节")
    assert labels.step("no_such_step") == ("no_such_step", "no_such_step")
    # A model written elsewhere (SpiffArena) names its steps bilingually.
    assert labels.step("no_such_step", "填写申领 (Fill in the request)") == \
        ("填写申领", "Fill in the request")
    # The catalogue's English wins; two processes using one id are told apart.
    assert labels.step("draft_reply", "答复拟稿") == ("答复拟稿", "Draft reply")
    assert labels.step("start", "交办到单位", "unit_handling")[1] == "Assigned to the unit"
    assert labels.step("start", "建议已登记", "suggestion")[1] == "Registered"
    # Another model's generic ids keep its own names.
    assert labels.step("start", "开始", "equipment") == ("开始", "开始")
    assert labels.step("ack_gw", "签收？") == ("签收？", "签收？")


def test_lanes_stay_identifiers_shown_in_the_readers_language():
    assert labels.lane("Commission") == ("代表工委", "Commission staff")
    assert labels.lane("Warehouse") == ("Warehouse", "Warehouse")


def test_feature_catalogues_merge_and_a_key_defined_twice_is_refused(tmp_path, monkeypatch):
    (tmp_path / "en").mkdir()
    (tmp_path / "en.json").write_text('{"甲": "A"}', "utf-8")
    (tmp_path / "en" / "feature.json").write_text('{"乙": "B"}', "utf-8")
    monkeypatch.setattr(labels, "TRANSLATIONS", tmp_path)
    labels.catalogue.cache_clear()
    try:
        assert labels.catalogue("en") == {"甲": "A", "乙": "B"}
        (tmp_path / "en" / "other.json").write_text('{"甲": "A again"}', "utf-8")
        labels.catalogue.cache_clear()
        with pytest.raises(ValueError, match="甲"):
            labels.catalogue("en")
    finally:
        labels.catalogue.cache_clear()


def test_no_full_width_colon_follows_a_translated_label():
    """"Saved filters：" in English: a label's colon comes from `colon()`, in the reader's
    language."""
    found = [f"{path.name}: {m.group(0)}" for path in WEBUI.rglob("*.html")
             if "node_modules" not in path.parts
             for m in re.finditer(r"(?:\) \}\}|\}\})：", path.read_text(encoding="utf-8"))]
    assert found == []
