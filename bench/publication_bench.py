"""The public search of published replies (办理结果公开) over 100,000 of them.

The data set (a SQLite file under .bench-data/) is built once with bulk inserts: suggestions,
their assignments and replies (about 250 characters each), and a publication of each reply with
the index's bitmaps, as `workflows.publication.approve` would leave them (checked on a sample). The figure is the median time of the public
page (`GET /public`, gunicorn, two workers) over a 2-character and a 4-character query, each
with and without filters; the search function alone is reported beside it.
"""
from __future__ import annotations

import random
from array import array
import statistics
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

from sqlalchemy import func, insert, select

from models import (Assignment, Database, Deputy, Publication, PublicationIndex, Reply, Suggestion,
                    Unit)
from workflows import public_search
from workflows.public_search import Filters

from tests.support.data import organisation, seed
from tests.support.server import Client, gunicorn

from .common import data_url, median_ms, report
from .web_bench import FIELDS

REPLIES = 100_000
CHUNK = 5_000
PLACES = ["长沙市", "株洲市", "湘潭市", "衡阳市", "邵阳市", "岳阳市", "常德市", "张家界市", "益阳市",
          "郴州市", "永州市", "怀化市", "娄底市", "湘西州", "浏阳市", "醴陵市", "韶山市", "耒阳市"]
TOPICS = ["城乡公交一体化", "农村公路提质改造", "义务教育学校建设", "县域医疗共同体", "养老服务体系",
          "乡村振兴产业发展", "高标准农田建设", "河湖长制落实", "城镇老旧小区改造", "职业教育产教融合",
          "中小企业融资", "数字政府建设", "文旅融合发展", "生态环境保护", "防汛抗旱能力",
          "食品安全监管", "就业创业扶持", "普惠托育服务", "新能源汽车充电设施", "农村饮水安全"]
SENTENCES = [
    "已将该建议纳入年度重点工作计划，明确责任处室和完成时限", "会同财政部门安排专项资金予以支持",
    "组织专题调研并与代表当面沟通办理思路", "下一步将加强部门协同，形成工作合力",
    "已出台相关实施意见，进一步完善政策措施", "对照代表提出的问题逐项研究，能解决的立即解决",
    "积极争取国家项目和资金支持", "加大督促指导力度，确保各项措施落地见效", "建立健全长效管理机制",
    "将在编制十五五规划时统筹考虑", "因受资金和用地条件限制，需分年度逐步实施",
    "开展专项整治行动，切实解决群众反映强烈的突出问题", "完善考核评价办法，压实属地责任",
    "推进信息化平台建设，提升服务便利化水平", "加强人才队伍建设，提高基层服务能力",
    "优化审批流程，压缩办理时限", "强化宣传引导，营造良好社会氛围", "联合相关部门开展现场督导",
    "在试点基础上总结经验，逐步在全省推广", "落实财政奖补政策，调动社会资本参与积极性",
    "加强道路交通安全隐患排查治理", "推动优质教育资源向农村延伸", "完善分级诊疗制度",
    "加快补齐基础设施短板", "统筹推进城乡融合发展", "持续改善农村人居环境",
]


def _text(rng: random.Random, place: str, topic: str) -> str:
    parts = rng.sample(SENTENCES, 8)
    parts.insert(rng.randrange(8), f"{place}{topic}工作取得阶段性进展")
    return "".join(f"{'一二三四五六七八九'[i]}、{p}。" for i, p in enumerate(parts))


def publication_database() -> Database:
    """100,000 published replies with their search index; built once, then reused."""
    db = Database(data_url("publication"))
    db.create_all()
    seed(db)
    with db.session() as s:
        if s.scalar(select(func.count()).select_from(Publication)) == REPLIES:
            return db
    db.drop_all()
    db.create_all()
    seed(db)
    began = time.perf_counter()
    rng = random.Random(17)
    at = datetime(2026, 6, 1, tzinfo=timezone.utc)
    with db.write() as s:
        congress = organisation(s)
        units = s.scalars(select(Unit.id).order_by(Unit.id)).all()
        deputy = Deputy(name="代表", electoral_unit="长沙市")
        s.add(deputy)
        s.flush()
        keyed: dict[str, array] = {}  # index key -> publication ids
        for first in range(1, REPLIES + 1, CHUNK):
            ids = range(first, min(first + CHUNK, REPLIES + 1))
            rows = {Suggestion: [], Assignment: [], Reply: [], Publication: []}
            for i in ids:
                place, topic = rng.choice(PLACES), rng.choice(TOPICS)
                title = f"关于推进{place}{topic}的建议"
                text = _text(rng, place, topic)
                field, unit, answer = FIELDS[i % len(FIELDS)], units[i % len(units)], "ABCD"[i % 4]
                rows[Suggestion].append(dict(
                    id=i, congress_session_id=congress.id, number=i, title=title, body=title,
                    field=field, year=2026, lead_deputy_id=deputy.id, status="replied",
                    mode="sole", registered_at=at, assigned_at=at))
                rows[Assignment].append(dict(
                    id=i, suggestion_id=i, unit_id=unit, role="sole", status="replied",
                    assigned_at=at, ack_due=at, reply_due=at, replied_at=at, co_division_ids=[],
                    answer_class=answer))
                rows[Reply].append(dict(
                    id=i, assignment_id=i, round=1, answer_class=answer, doc_number="湘函〔2026〕1号",
                    answer_text=text, contact_person="刘芳", contact_phone="0731-88880000",
                    copy_to=[], publish=True, issued_by="bench", issued_at=at, on_time=True))
                search = public_search.normalise(f"{title}\n{text}")
                rows[Publication].append(dict(
                    id=i, reply_id=i, suggestion_id=i, congress_session_id=congress.id,
                    unit_id=unit, field=field, status="published", public_text=text,
                    search_text=search, redactions=[], decided_by="bench", decided_at=at,
                    published_at=at))
                for key in ("all", f"s:{congress.id}", f"u:{unit}", f"f:{field}",
                            *("t:" + b for b in public_search.bigrams(search))):
                    keyed.setdefault(key, array("I")).append(i)
            for model, batch in rows.items():
                s.execute(insert(model), batch)
        s.execute(insert(PublicationIndex), [
            {"key": key, "bits": public_search.encode(_bitmap(ids))} for key, ids in keyed.items()])
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    report("public_search_build_s", time.perf_counter() - began, "s")
    return db


def _bitmap(ids: array) -> int:
    """The bitmap of these ids, built as bytes (OR-ing 1 << id into a big number each time
    would copy it once per id)."""
    data = bytearray(max(ids) // 8 + 1)
    for i in ids:
        data[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(data, "little")


# (label, query, filters): a typical 2- and 4-character query, without and with filters
QUERIES = [("2", "养老", {}), ("4", "乡村振兴", {}), ("2+filters", "养老", {"field": "医疗"}),
           ("4+filters", "乡村振兴", {"field": "农业", "session": 1})]


def main() -> None:
    db = publication_database()
    with db.session() as s:
        terms = s.scalar(select(func.count()).select_from(
            select(1).select_from(Publication).where(Publication.status == "published").subquery()))
        assert terms == REPLIES
        for sample in s.scalars(select(Publication).where(Publication.id.in_([1, 4_321, REPLIES]))):
            keys = public_search.keys_of(sample)
            bitmaps = s.execute(select(PublicationIndex.key, PublicationIndex.bits)
                                .where(PublicationIndex.key.in_(keys))).all()
            assert len(bitmaps) == len(keys)
            assert all(public_search.decode(bits) >> sample.id & 1 for _k, bits in bitmaps)
        for label, query, f in QUERIES:
            filters = Filters(congress_session_id=f.get("session"), unit_id=f.get("unit"),
                              field=f.get("field"))
            found = public_search.search(s, query, filters)[1]
            ms = median_ms(lambda: public_search.search(s, query, filters), repeat=15)
            report(f"public_search_fn_{label.replace('+', '_')}_ms", ms, f"ms ({found} found)")
    url = db.url.render_as_string(hide_password=False)
    db.dispose()
    with gunicorn(url, workers=2) as port:
        client = Client(port)
        paths = [f"/public?{urlencode({'q': q, **f})}" for _l, q, f in QUERIES]
        for path in paths:
            status, _ = client.request("GET", path)
            assert status == 200, (path, status)
        samples = []
        for _ in range(10):
            for path in paths:
                start = time.perf_counter()
                status, body = client.request("GET", path)
                samples.append((time.perf_counter() - start) * 1000)
                assert status == 200 and b"public-reply" in body, path
        report("public_search_100k_ms", statistics.median(samples), "ms")


if __name__ == "__main__":
    main()
