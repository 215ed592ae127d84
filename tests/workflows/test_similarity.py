"""Repeated suggestions (多年多次提出): earlier years' suggestions saying the same thing are found,
whatever their wording; different subjects, the same year and shared boilerplate are not."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sqlalchemy import update

from models import CongressSession, Suggestion, SuggestionTerms
from workflows import similarity
from workflows.errors import DomainError
from workflows.similarity import (THRESHOLD, Match, clear_cache, repeated, similar_to,
                                  store_missing_terms, term_counts, text_key, tokens)

# key: (year, number, title, body). 2024 = 十四届一次会议, 2025 = 二次, 2026 = 三次 (org.congress_session_id).
CORPUS = {
    # ---- 2024 ----
    "rail_2024": (2024, 101, "关于推进长株潭城际轨道交通建设的建议",
                  "长株潭三市之间城际轨道交通建设滞后，长沙至株洲、湘潭的城际列车班次少、间隔长，"
                  "群众通勤不便。建议将长株潭城际轨道交通纳入省重点建设项目，统筹三市线网规划，"
                  "加密城际列车班次，推动城际轨道与地铁站点换乘衔接，实现长株潭一体化通勤。"),
    "teacher_2024": (2024, 102, "关于提高乡村教师待遇的建议",
                     "乡村教师工资待遇偏低，生活补助标准多年未调整，住房条件较差，导致乡村学校留不住"
                     "年轻教师。建议提高乡村教师生活补助标准，落实乡村教师工资收入不低于当地公务员"
                     "平均工资水平，建设乡村教师周转宿舍，在职称评聘上向乡村教师倾斜。"),
    "food_2024": (2024, 103, "关于加强食品安全监管工作的建议",
                  "校园周边和农村集市小作坊、小摊贩食品安全隐患突出，基层市场监管力量薄弱，抽检"
                  "覆盖面不足。建议充实基层食品安全监管执法人员，加大食品抽检频次，推行食品生产"
                  "经营者信用分级管理，严厉打击制售假冒伪劣食品行为。"),
    "lake_2024": (2024, 104, "关于加强洞庭湖生态环境保护的建议",
                  "洞庭湖区部分水域水质下降，湿地面积萎缩，非法采砂和违规捕捞时有发生。建议落实"
                  "长江十年禁渔，严厉打击非法采砂，实施退田还湖和湿地修复工程，建立洞庭湖生态补偿"
                  "机制。"),
    # same field, different subject: rural boarding schools, not rural teachers' pay
    "boarding_2024": (2024, 105, "关于改善乡村学校寄宿条件的建议",
                      "乡村学校寄宿生比例高，但学生宿舍、食堂、浴室等生活设施简陋，生活老师配备不足。"
                      "建议加大乡村寄宿制学校改造投入，按标准配齐宿舍床位和生活设施，核定寄宿制学校"
                      "生活管理人员编制。"),
    # ---- 2025 ----
    "rail_2025": (2025, 201, "关于支持长株潭城际铁路扩容提质的建议",
                  "长株潭城际铁路开通运营以来客流逐年增长，高峰时段一票难求，现有线路运力已趋饱和。"
                  "建议争取国家铁路部门支持，增开长沙至株洲、湘潭的城际列车，延伸城际铁路至湘潭北站"
                  "和株洲西站，推行城际铁路公交化运营和月票制度，方便三市群众往来。"),
    "teacher_2025": (2025, 202, "关于保障乡村教师工资待遇的建议",
                     "部分县市乡村教师绩效工资、乡镇工作补贴发放不到位，乡村教师待遇保障机制不健全。"
                     "建议省级财政加大对困难县乡村教师工资的转移支付，确保乡村教师平均工资收入不低于"
                     "当地公务员，提高乡镇工作补贴标准，改善乡村教师住房和生活条件。"),
    "water_2025": (2025, 203, "关于加强农村饮水安全工作的建议",
                   "部分农村地区供水工程老化，管网漏损严重，枯水期季节性缺水，水质检测不到位，群众"
                   "饮水安全难以保障。建议加大农村供水工程维修养护资金投入，推进城乡供水一体化，建立"
                   "农村水质定期检测制度，保障农村群众喝上放心水。"),
    "ecommerce_2025": (2025, 204, "关于发展农村电子商务的建议",
                       "农村电商物流成本高，快递进村“最后一公里”不畅，农产品标准化、品牌化程度低。"
                       "建议完善县乡村三级物流配送体系，培育农村电商带头人，打造区域农产品公用品牌，"
                       "支持农产品冷链仓储设施建设。"),
    # same field, different subject: another railway (长沙-赣州 high-speed line)
    "hsr_2025": (2025, 205, "关于加快长赣高铁建设的建议",
                 "长赣高铁是连接长沙、浏阳与江西赣州的重要铁路通道，对完善我省高速铁路网具有重要"
                 "意义。建议积极对接国家铁路集团，加快长赣高铁可研报告审批，争取早日开工建设，同步"
                 "规划沿线站点与城市交通衔接。"),
    # ---- 2026 ----
    "rail_2026": (2026, 1, "关于加快长株潭城际铁路建设的建议",
                  "长株潭城际铁路是长株潭都市圈一体化发展的骨干通道，但目前线路覆盖不足、站点与城市"
                  "公交衔接不畅。建议加大对长株潭城际铁路项目的资金支持，尽快启动城际铁路南延线建设，"
                  "增加列车班次，实现长株潭三市城际铁路公交化运营。"),
    "rail2_2026": (2026, 2, "关于长株潭城际铁路公交化运营的建议",
                   "长株潭城际铁路列车班次少、票价偏高，难以满足三市群众日常通勤需要。建议推行长株潭"
                   "城际铁路公交化运营，加密高峰时段列车班次，实行月票和票价优惠，与长沙地铁、株洲和"
                   "湘潭公交实现一卡通换乘。"),
    "teacher_2026": (2026, 3, "关于提高乡村教师生活补助标准的建议",
                     "乡村教师生活补助标准偏低且各地差异较大，偏远乡村学校教师流失严重。建议提高乡村"
                     "教师生活补助标准，按学校偏远程度实行差别化补助，确保乡村教师工资待遇不低于当地"
                     "公务员，完善乡村教师周转宿舍建设。"),
    "elevator_2026": (2026, 4, "关于加强老旧小区加装电梯工作的建议",
                      "老旧小区多为无电梯的多层住宅，老年居民上下楼困难。加装电梯涉及低层住户意见协调"
                      "难、审批手续复杂、资金筹措难。建议简化加装电梯审批流程，明确财政补贴标准，允许"
                      "提取住房公积金用于加装电梯，由街道社区牵头做好居民协商。"),
    "lowalt_2026": (2026, 5, "关于加快发展低空经济的建议",
                    "低空经济是战略性新兴产业，我省通用机场数量少，低空飞行服务保障能力不足。建议编制"
                    "低空经济发展规划，布局建设通用机场和起降点，开展无人机物流配送试点，培育低空"
                    "制造龙头企业。"),
}
REGISTERED = datetime(2026, 1, 20, 9, 0, tzinfo=timezone.utc)


def _add(session, org, sessions, key_year, number, title, body) -> int:
    suggestion = Suggestion(congress_session_id=sessions[key_year], number=number, title=title, body=body,
                            field="综合", year=key_year, lead_deputy_id=org.deputies["王芳"],
                            registered_at=REGISTERED)
    session.add(suggestion)
    session.flush()
    return suggestion.id


@pytest.fixture
def corpus(db, org):
    """The suggestions of CORPUS in the database; returns (key -> id, year -> session id)."""
    with db.write() as session:
        earlier = {2024: CongressSession(congress=14, meeting=1, year=2024, name="省十四届人大一次会议"),
                   2025: CongressSession(congress=14, meeting=2, year=2025, name="省十四届人大二次会议")}
        session.add_all(earlier.values())
        session.flush()
        sessions = {year: cs.id for year, cs in earlier.items()} | {2026: org.congress_session_id}
        ids = {key: _add(session, org, sessions, *row) for key, row in CORPUS.items()}
    return ids, sessions


def _keys(ids: dict[str, int], matches: list[Match]) -> list[str]:
    names = {v: k for k, v in ids.items()}
    return [names[m.suggestion_id] for m in matches]


def test_tokens_keep_subject_words_only():
    words = tokens("关于进一步加强我省５Ｇ基站建设工作的建议：2024年建成1.5万个，PM2.5监测、的、和。")
    assert "5g" in words and "pm2.5" in words and "基站" in words and "监测" in words
    for dropped in ("关于", "进一步", "加强", "我省", "工作", "建议", "的", "和", "年", "2024", "1.5",
                    "：", "，", "。", "、"):
        assert dropped not in words
    assert tokens("") == [] and tokens("关于加强工作的建议") == []


def test_finds_the_rephrased_suggestions_of_earlier_years(db, corpus):
    ids, _ = corpus
    with db.session() as session:
        matches = similar_to(session, ids["rail_2026"])
    # 2024 spoke of 城际轨道交通, 2025 of 扩容提质: both are the same railway; best first.
    # Not the 长赣高铁 (another railway, 2025) nor anything else.
    assert sorted(_keys(ids, matches)) == ["rail_2024", "rail_2025"]
    assert matches[0].score >= matches[1].score >= THRESHOLD
    rail_2024 = next(m for m in matches if m.suggestion_id == ids["rail_2024"])
    assert (rail_2024.year, rail_2024.number, rail_2024.title) == (
        2024, 101, "关于推进长株潭城际轨道交通建设的建议")
    assert all(0 < m.score <= 1 for m in matches)


def test_unrelated_subjects_and_the_same_year_are_not_reported(db, corpus):
    ids, _ = corpus
    with db.session() as session:
        found = _keys(ids, similar_to(session, ids["rail_2026"]))
        assert "teacher_2024" not in found and "food_2024" not in found
        # rail2_2026 is on the same railway but of the same year: never reported, at any threshold.
        everything = _keys(ids, similar_to(session, ids["rail_2026"], threshold=0.0, limit=100))
        assert "rail2_2026" not in everything
        assert {key for key in everything if key.endswith("_2026")} == set()
        # the rural-teacher suggestion finds its own predecessors, not the railway, and not the
        # rural boarding schools of 2024 (same field, different subject).
        assert sorted(_keys(ids, similar_to(session, ids["teacher_2026"]))) == [
            "teacher_2024", "teacher_2025"]
        # nothing earlier on the low-altitude economy
        assert similar_to(session, ids["lowalt_2026"]) == []


def test_boilerplate_in_common_is_not_a_match(db, corpus):
    ids, _ = corpus
    with db.session() as session:
        # 关于加强老旧小区加装电梯工作的建议 vs 关于加强农村饮水安全工作的建议 / 食品安全监管工作
        assert similar_to(session, ids["elevator_2026"]) == []
        everything = similar_to(session, ids["elevator_2026"], threshold=0.0, limit=100)
    scores = dict(zip(_keys(ids, everything), (m.score for m in everything)))
    assert scores.get("water_2025", 0.0) < THRESHOLD
    assert scores.get("food_2024", 0.0) < THRESHOLD
    assert max(scores.values(), default=0.0) < THRESHOLD


def test_short_suggestions_sharing_only_boilerplate_are_not_matched(db, org, corpus):
    """Two short texts of the same mould: without the stop words they would score ~0.55."""
    ids, sessions = corpus
    with db.write() as session:
        _add(session, org, sessions, 2025, 206, "关于加强森林防火工作的建议",
             "建议进一步加强我省森林防火工作，完善相关措施。")
        safety = _add(session, org, sessions, 2026, 8, "关于加强安全生产工作的建议",
                      "建议进一步加强我省安全生产工作，完善相关措施。")
        forest = _add(session, org, sessions, 2026, 9, "关于进一步加强森林防火工作的建议",
                      "森林防火形势严峻，建议加强森林防火工作。")
    with db.session() as session:
        assert similar_to(session, safety) == []
        assert [m.number for m in similar_to(session, forest)] == [206]  # the subject does match


def test_repeated_lists_exactly_the_expected_pairs(db, corpus):
    ids, _ = corpus
    with db.session() as session:
        found_2026 = {s.id: sorted(_keys(ids, ms)) for s, ms in repeated(session, 2026)}
        rows_2026 = repeated(session, 2026)
        found_2025 = {s.id: sorted(_keys(ids, ms)) for s, ms in repeated(session, 2025)}
        assert repeated(session, 2024) == []  # nothing earlier to repeat
        assert repeated(session, 2023) == []
    assert found_2026 == {
        ids["rail_2026"]: ["rail_2024", "rail_2025"],
        ids["rail2_2026"]: ["rail_2024", "rail_2025"],
        ids["teacher_2026"]: ["teacher_2024", "teacher_2025"],
    }
    assert [s.number for s, _ in rows_2026] == [1, 2, 3]  # in order of number
    assert all(isinstance(s, Suggestion) and s.year == 2026 for s, _ in rows_2026)
    for _, matches in rows_2026:
        assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert found_2025 == {
        ids["rail_2025"]: ["rail_2024"],
        ids["teacher_2025"]: ["teacher_2024"],
    }


def test_repeated_and_similar_to_give_the_same_scores(db, corpus):
    ids, _ = corpus
    with db.session() as session:
        for suggestion, matches in repeated(session, 2026):
            assert similar_to(session, suggestion.id, limit=100) == matches


def test_limit_and_threshold(db, corpus):
    ids, _ = corpus
    with db.session() as session:
        best = similar_to(session, ids["rail_2026"], limit=1)
        assert len(best) == 1 and best == similar_to(session, ids["rail_2026"])[:1]
        assert similar_to(session, ids["rail_2026"], threshold=1.01) == []


def test_empty_body(db, org, corpus):
    ids, sessions = corpus
    with db.write() as session:
        # title only: still found by its title words, and finds its predecessors
        title_only = _add(session, org, sessions, 2026, 6, "关于长株潭城际铁路扩容提质的建议", "")
        # nothing but boilerplate: an empty vector, compared with nothing
        hollow = _add(session, org, sessions, 2026, 7, "关于进一步加强相关工作的建议", "")
        # an earlier suggestion with an empty body does not break anyone's scoring
        _add(session, org, sessions, 2025, 299, "关于加强有关工作的建议", "")
    with db.session() as session:
        assert "rail_2025" in _keys(ids, similar_to(session, title_only))
        assert similar_to(session, hollow, threshold=0.0) == []
        rows = {s.number: ms for s, ms in repeated(session, 2026)}
    assert 6 in rows and 7 not in rows


def test_edited_text_is_compared_afresh(db, corpus):
    ids, _ = corpus
    with db.session() as session:
        assert "rail_2024" in _keys(ids, similar_to(session, ids["rail_2026"]))
    with db.write() as session:
        suggestion = session.get(Suggestion, ids["rail_2024"])
        suggestion.title, suggestion.body = CORPUS["lake_2024"][2:]
    with db.session() as session:
        assert "rail_2024" not in _keys(ids, similar_to(session, ids["rail_2026"]))


def test_unknown_suggestion(db):
    with db.session() as session:
        with pytest.raises(DomainError, match="does not exist"):
            similar_to(session, 12345)


def test_word_counts_are_kept_and_used_without_cutting_again(db, corpus, monkeypatch):
    ids, _ = corpus
    with db.write() as session:
        assert store_missing_terms(session, limit=5) == 5  # a batch at a time
        assert store_missing_terms(session) == len(CORPUS) - 5
        assert store_missing_terms(session) == 0
        kept = session.get(SuggestionTerms, ids["rail_2024"])
        assert kept.counts == term_counts(*CORPUS["rail_2024"][2:])
    with db.session() as session:
        expected = _keys(ids, similar_to(session, ids["rail_2026"]))
    clear_cache()  # a new process: nothing cut in memory, everything read from the database

    def no_cutting(*args):
        raise AssertionError("a stored text was cut again")
    monkeypatch.setattr(similarity, "term_counts", no_cutting)
    with db.session() as session:
        assert _keys(ids, similar_to(session, ids["rail_2026"])) == expected


def test_stale_counts_are_not_used(db, corpus):
    """Counts kept for another wording of the text are recounted, never trusted."""
    ids, _ = corpus
    with db.write() as session:
        store_missing_terms(session)
        session.execute(update(Suggestion).where(Suggestion.id == ids["rail_2024"])
                        .values(body=CORPUS["teacher_2024"][3], title=CORPUS["teacher_2024"][2]))
    with db.session() as session:
        found = _keys(ids, similar_to(session, ids["rail_2026"]))
    assert "rail_2024" not in found and "rail_2025" in found
    with db.write() as session:
        assert store_missing_terms(session) == 1
        assert session.get(SuggestionTerms, ids["rail_2024"]).text_key == text_key(
            *CORPUS["teacher_2024"][2:])


def test_a_new_earlier_suggestion_is_seen_by_the_next_case_page(db, org, corpus):
    ids, sessions = corpus
    with db.session() as session:
        before = _keys(ids, similar_to(session, ids["lowalt_2026"]))
    assert before == []
    with db.write() as session:
        new = _add(session, org, sessions, 2025, 301, "关于发展低空经济产业的建议",
                   CORPUS["lowalt_2026"][3])
    with db.session() as session:
        assert [m.suggestion_id for m in similar_to(session, ids["lowalt_2026"])] == [new]


def test_a_suggestion_counted_meanwhile_by_another_scheduler_is_no_error(db, corpus, monkeypatch):
    """Two schedulers (PostgreSQL) may count the same new suggestion at once; the later write
    replaces the earlier one instead of failing on the key."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite writers are serialized: the two cannot overlap")
    ids, _ = corpus
    target, real = min(ids.values()), similarity.term_counts  # the first one counted
    calls = []

    def counting(title, body):
        calls.append(title)
        if len(calls) == len(CORPUS):  # after this scheduler counted the first suggestion,
            with db.write() as other:  # the other one commits its counts of it
                other.add(SuggestionTerms(suggestion_id=target, text_key="other",
                                          text_length=0, counts={}))
        return real(title, body)
    monkeypatch.setattr(similarity, "term_counts", counting)
    with db.write() as session:
        assert store_missing_terms(session) == len(CORPUS)
    with db.session() as session:
        kept = session.get(SuggestionTerms, target)
        assert kept.text_key != "other" and kept.counts
