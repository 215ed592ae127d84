"""Demo province (湖南省-like): one congress session, units, deputies, users and cases at every
stage of handling. Loaded by `jianyi demo` (used by `make run`)."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import ManualClock, Package
from models import CongressSession, Deputy, Division, Suggestion, Unit, User

from . import make_engine, process_settings, seed_defaults, simulate, suggestions
from .users import create_user

# Security review: demo data only; real users get their own passwords.
DEMO_PASSWORD = "jianyi-demo"  # nosec B105

UNITS = [
    ("fgw", "省发展和改革委员会", "government"), ("jyt", "省教育厅", "government"),
    ("kjt", "省科学技术厅", "government"), ("gxt", "省工业和信息化厅", "government"),
    ("gat", "省公安厅", "government"), ("mzt", "省民政厅", "government"),
    ("czt", "省财政厅", "government"), ("rst", "省人力资源和社会保障厅", "government"),
    ("zrt", "省自然资源厅", "government"), ("sthjt", "省生态环境厅", "government"),
    ("zjt", "省住房和城乡建设厅", "government"), ("jtt", "省交通运输厅", "government"),
    ("slt", "省水利厅", "government"), ("nynct", "省农业农村厅", "government"),
    ("swt", "省商务厅", "government"), ("wlt", "省文化和旅游厅", "government"),
    ("wjw", "省卫生健康委员会", "government"), ("yjt", "省应急管理厅", "government"),
    ("scjgj", "省市场监督管理局", "government"), ("ybj", "省医疗保障局", "government"),
    ("dl", "国网湖南省电力有限公司", "non_government"),
    ("txglj", "省通信管理局", "non_government"),
]
DIVISIONS = ["综合处", "规划处", "政策法规处"]
CITIES = ["长沙市", "株洲市", "湘潭市", "衡阳市", "邵阳市", "岳阳市", "常德市", "张家界市",
          "益阳市", "郴州市", "永州市", "怀化市", "娄底市", "湘西土家族苗族自治州"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明",
         "超", "秀英", "建华", "志强", "海燕", "丽华"]
TOPICS = [  # (field, title, lead unit, co-units)
    ("交通", "关于加快城际铁路建设的建议", "jtt", ["fgw", "czt"]),
    ("交通", "关于改善农村公路养护机制的建议", "jtt", ["czt"]),
    ("教育", "关于加强乡村教师队伍建设的建议", "jyt", ["rst", "czt"]),
    ("教育", "关于扩大职业教育产教融合的建议", "jyt", ["gxt"]),
    ("医疗", "关于推进县域医共体建设的建议", "wjw", ["ybj"]),
    ("医疗", "关于完善异地就医结算的建议", "ybj", ["wjw"]),
    ("农业", "关于支持高标准农田建设的建议", "nynct", ["czt", "zrt"]),
    ("农业", "关于发展油茶产业的建议", "nynct", ["kjt"]),
    ("环境", "关于加强洞庭湖生态保护的建议", "sthjt", ["slt", "zrt"]),
    ("环境", "关于推进城乡生活垃圾分类的建议", "zjt", ["sthjt"]),
    ("水利", "关于加快中小河流治理的建议", "slt", ["czt"]),
    ("社保", "关于完善灵活就业人员社保政策的建议", "rst", ["ybj"]),
    ("民政", "关于发展社区居家养老服务的建议", "mzt", ["wjw", "czt"]),
    ("科技", "关于支持湘江科学城建设的建议", "kjt", ["fgw", "zrt"]),
    ("产业", "关于延伸现代石化产业链的建议", "gxt", ["fgw", "sthjt"]),
    ("商贸", "关于促进县域商业体系建设的建议", "swt", ["nynct"]),
    ("文旅", "关于打造红色旅游精品线路的建议", "wlt", ["jtt"]),
    ("安全", "关于加强基层应急能力建设的建议", "yjt", ["czt"]),
    ("市场", "关于加强食品安全监管的建议", "scjgj", ["nynct"]),
    ("能源", "关于加快农村电网改造升级的建议", "dl", ["fgw"]),
    ("通信", "关于推进5G网络向乡镇延伸的建议", "txglj", ["gxt"]),
    ("治安", "关于加强电信网络诈骗治理的建议", "gat", ["txglj"]),
]
# (how many cases, where each stops): the stages a demo province shows at once.
STAGES = [
    (6, "to_assign"), (6, "to_acknowledge"), (2, "return_pending"), (8, "handling"),
    (6, "in_review"), (5, "overdue"), (2, "long_overdue"), (2, "coordination_requested"),
    (8, "awaiting_feedback"), (3, "rehandling"), (1, "twice_dissatisfied"),
    (4, "follow_up"), (10, "closed"),
]

# The second case of these stages is the account-less deputy's: one feedback form waits for the
# commission to record it, one was recorded and the case closed.
PAPER_FEEDBACK_STAGES = ("awaiting_feedback", "closed")


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    note: str


LOGINS = [
    Login("commission", "commission", "代表工委 commission staff (also records paper feedback: 代录)"),
    Login("unit_handler", "jtt_handler", "省交通运输厅 unit handler (lead unit)"),
    Login("reviewer", "jtt_reviewer", "省交通运输厅 deputy head (reviewer)"),
    Login("signer", "jtt_signer", "省交通运输厅 principal head (signer)"),
    Login("unit_handler", "czt_handler", "省财政厅 handler (a co-handling unit)"),
    Login("deputy", "deputy", "代表 lead deputy of several suggestions"),
    Login("provincial_leader", "leader", "省领导 supervising leader"),
    Login("committee", "committee", "专门委员会 special committee member"),
    Login("designer", "designer", "process designer"),
    Login("admin", "admin", "administrator"),
]


def is_loaded(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Suggestion)))


def load(session: Session, now: datetime | None = None, seed: int = 2026) -> list[Login]:
    """Create the demo province and its cases in the caller's transaction; returns the logins.

    Cases are run on a clock that starts at the assignment meeting and moves to `now`, so
    deadlines, reminders and escalations are those a real year would have produced.
    """
    # Security review: reproducible demo data, not a secret.
    rng = random.Random(seed)  # nosec B311
    now = now or datetime.now(timezone.utc)
    meeting = now - timedelta(days=150)
    clock = ManualClock(meeting - timedelta(days=10))
    engine = make_engine(clock)
    seed_defaults(session)  # roles, lane rules, who starts the suggestion process
    # The suggestion process and, in the same package, a second one built without Python:
    # 代表约见承办单位 with its settings file (deputies start it from 新建案件).
    root = Path(__file__).resolve().parent.parent
    second = root / "examples" / "deputy_meeting"
    files = {**Package.from_folder(root / "bpmn").files, **Package.from_folder(second).files}
    process_settings.load(session, (second / "deputy_meeting.settings.toml").read_text("utf-8"),
                          actor="designer", now=clock())
    engine.deploy(session, Package(files), "designer")
    congress = CongressSession(congress=14, meeting=3, year=meeting.year,
                               name="省十四届人大三次会议", opened_on=meeting.date())
    session.add(congress)
    for code, name, kind in UNITS:
        unit = Unit(code=code, name=name, kind=kind)
        unit.divisions = [Division(name=d) for d in DIVISIONS]
        session.add(unit)
    session.flush()
    deputies = []
    for i in range(44):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
        deputy = Deputy(name=f"{name}{'' if i < 20 else i}", electoral_unit=CITIES[i % len(CITIES)])
        session.add(deputy)
        deputies.append(deputy)
    session.flush()
    for login in LOGINS:
        unit = login.username.split("_")[0] if login.role in ("unit_handler", "reviewer",
                                                               "signer") else None
        create_user(session, login.username, login.note.split(" ")[0], login.role, DEMO_PASSWORD,
                    unit_code=unit, deputy_id=deputies[0].id if login.role == "deputy" else None)
    create_user(session, "leader2", "省领导乙", "provincial_leader", DEMO_PASSWORD)
    for code, _name, _kind in UNITS:  # every unit can be worked by someone
        for role in ("unit_handler", "reviewer", "signer"):
            username = f"{code}_{role.split('_')[-1]}" if role == "unit_handler" else f"{code}_{role}"
            if session.scalar(select(User.id).where(User.username == username)) is None:
                create_user(session, username, f"{code} {role}", role, DEMO_PASSWORD,
                            unit_code=code)
    # The last deputy has no login account: the commission records their paper feedback
    # forms on their behalf (代录).
    paper_deputy = deputies[-1]
    for i, deputy in enumerate(deputies[1:-1], start=1):
        create_user(session, f"deputy{i:02d}", deputy.name, "deputy", DEMO_PASSWORD,
                    deputy_id=deputy.id)
    session.flush()

    commission = session.scalar(select(User).where(User.username == "commission"))
    number = 0
    for count, stage in STAGES:
        for nth in range(count):
            number += 1
            field, title, lead, co = TOPICS[number % len(TOPICS)]
            clock.now = meeting - timedelta(days=5)
            lead_deputy = deputies[0] if number % 4 == 0 else rng.choice(deputies)
            if nth == 1 and stage in PAPER_FEEDBACK_STAGES:
                lead_deputy = paper_deputy
            suggestion = suggestions.register(
                session, engine, congress_session=congress, number=number,
                title=title if number <= len(TOPICS) else title.replace("的建议", f"（{number}）的建议"),
                body=f"{title}。建议从政策、资金、项目三方面加大支持力度。", field=field,
                lead_deputy=lead_deputy, co_signers=rng.sample(deputies, 2), actor="commission")
            _run_stage(session, engine, clock, commission, suggestion, stage, number, lead, co,
                       meeting, now)
    _rehandled_and_re_signed(session, engine, clock, congress, commission, deputies,
                             number + 1, meeting)
    _key_suggestion_with_midyear_report(session, engine, clock, commission, congress,
                                        deputies[0], number + 2, meeting, now)
    _resolved_escalation(session, engine, clock, commission, congress, deputies[1], number + 3,
                         meeting)
    _merged_case(session, engine, clock, congress, commission, number + 3,
                 deputies[0], deputies[1], paper_deputy, meeting)
    _co_units_ahead_of_the_lead(session, engine, clock, commission, congress, deputies[2],
                                number + 7, meeting)
    clock.now = now
    while engine.fire_due_timers(session, now):  # the reminders and escalations of the year
        pass
    return LOGINS


def _assign_data(number: int, lead: str, co: list[str]) -> dict:
    key = number % 9 == 0
    data = {"mode": "lead_co", "lead_unit": lead, "co_units": co, "key_suggestion": key,
            "special_committee": "财政经济委员会" if key else ""}
    if key:
        data["supervising_leader"] = "leader"
    if number % 11 == 0:
        data = {"mode": "separate", "units": [lead, *co], "lead_unit": lead,
                "key_suggestion": False}
    elif number % 7 == 0:
        data = {"mode": "sole", "lead_unit": lead, "co_units": [], "key_suggestion": False}
    return data


def _run_stage(session, engine, clock, commission, suggestion, stage, number, lead, co, meeting,
               now) -> None:
    instance = suggestion.instance_id
    if stage == "to_assign":
        return
    from . import tasks
    task = suggestions.assign_task(session, suggestion)
    clock.now = meeting
    tasks.complete(session, engine, commission, task.id, _assign_data(number, lead, co))
    if stage == "to_acknowledge":
        return
    if stage == "return_pending":
        simulate.drive(session, engine, instance, stop_at={"decide_return"}, answers={
            "acknowledge": {"decision": "request_return", "return_reason": "不属于本单位职能",
                            "suggested_unit": co[0] if co else "fgw"}})
        return
    # Later stages happen over the months after the meeting.
    clock.now = meeting + timedelta(days=20)
    if stage == "handling":
        simulate.drive(session, engine, instance, stop_at={"draft_reply", "co_opinion"})
        return
    if stage in ("in_review", "overdue", "long_overdue"):
        simulate.drive(session, engine, instance, stop_at={"review", "sign_off"} if stage ==
                       "in_review" else {"draft_reply"})
        if stage in ("overdue", "long_overdue"):
            clock.now = meeting + timedelta(days=100 if stage == "overdue" else 140)
        return
    if stage == "coordination_requested":
        simulate.drive(session, engine, instance, stop_at={"draft_reply"})
        simulate.complete_one(session, engine, instance, "draft_reply", {
            **simulate.ANSWERS["draft_reply"], "action": "request_coordination",
            "coordination_reason": "涉及多部门职能，需省领导协调"})
        return
    clock.now = meeting + timedelta(days=60)
    answer_class = "B" if stage == "follow_up" else rng_class(number)
    draft = {**simulate.ANSWERS["draft_reply"], "answer_class": answer_class,
             "doc_number": f"湘{lead}函〔2026〕{number}号"}
    stop = {"feedback", "co_feedback"} if stage == "awaiting_feedback" else \
        {"rehandle"} if stage == "rehandling" else \
        {"supervise_meeting"} if stage == "twice_dissatisfied" else \
        {"follow_up_report"} if stage == "follow_up" else set()
    dissatisfied = {"satisfaction": "dissatisfied", "comment": "答复未解决实际问题"}
    answers = {"draft_reply": draft, "rehandle": draft}
    if stage in ("rehandling", "twice_dissatisfied"):
        answers["feedback"] = dissatisfied
        answers["feedback_again"] = dissatisfied
    simulate.drive(session, engine, instance, stop_at=stop, answers=answers)


def rng_class(number: int) -> str:
    return "ACAD"[number % 4] if number % 5 else "A"


def _rehandled_and_re_signed(session, engine, clock, congress, commission, deputies, number,
                             meeting) -> None:
    """A re-handled reply that was sent back once by the reviewer, then reviewed, signed and
    rated satisfactory (重新办理后再次审核、签发). The unacknowledged overdue cases are the
    `to_acknowledge` stage's: their clock runs from the meeting."""
    from . import tasks
    suggestion = suggestions.register(
        session, engine, congress_session=congress, number=number,
        title="关于完善城乡公交一体化的建议", body="关于完善城乡公交一体化的建议。建议加大财政补贴。",
        field="交通", lead_deputy=deputies[0], co_signers=deputies[1:3], actor="commission")
    clock.now = meeting
    tasks.complete(session, engine, commission, suggestions.assign_task(session, suggestion).id,
                   {"mode": "sole", "lead_unit": "jtt", "co_units": [], "key_suggestion": False})
    clock.now = meeting + timedelta(days=50)
    first = {**simulate.ANSWERS["draft_reply"], "doc_number": f"湘jtt函〔2026〕{number}号"}
    again = {**simulate.DRAFT, "answer_class": "B", "doc_number": f"湘jtt函〔2026〕{number}-2号",
             "answer_text": "一、已重新调研，将城乡公交一体化列入明年计划。\n\n二、已安排专项补贴资金。"}
    simulate.drive(session, engine, suggestion.instance_id, stop_at={"feedback_again"}, answers={
        "draft_reply": first,
        "feedback": {"satisfaction": "dissatisfied", "comment": "答复未解决实际问题"},
        "rehandle": [{**again, "answer_text": "一、正在研究。"}, again],
        "review_again": [{"review_decision": "send_back", "review_reason": "答复过于简单，请补充措施"},
                         {"review_decision": "approve"}]})
    clock.now = meeting + timedelta(days=70)
    simulate.drive(session, engine, suggestion.instance_id, stop_at={"follow_up_report"})


def _key_suggestion_with_midyear_report(session, engine, clock, commission, congress, deputy,
                                        number, meeting, now) -> Suggestion | None:
    """A key suggestion (重点处理建议) whose unit filed its mid-year progress report for the
    supervision meeting (督办推进会) — the supervising leader was told — and then replied, the
    leader approving the reply. It is assigned at the meeting, or 30 days before the report's
    task opens if the meeting came later in the year; none while the session's mid-year
    meeting is still ahead (a demo loaded in June for a session opened that January)."""
    from . import deadlines, tasks
    opens = deadlines.report_open_at(session, "midyear", congress.year)
    if opens + timedelta(days=5) >= now:
        return None
    clock.now = min(meeting, opens - timedelta(days=30))
    suggestion = suggestions.register(
        session, engine, congress_session=congress, number=number,
        title="关于加快湘江流域水生态修复的建议", field="环境", lead_deputy=deputy,
        body="关于加快湘江流域水生态修复的建议。建议统筹规划、分段治理，加大省级资金支持。",
        actor="commission")
    tasks.complete(session, engine, commission, suggestions.assign_task(session, suggestion).id, {
        "mode": "sole", "lead_unit": "sthjt", "co_units": [], "key_suggestion": True,
        "supervising_leader": "leader", "special_committee": "环境与资源保护委员会"})
    instance = suggestion.instance_id
    simulate.drive(session, engine, instance, stop_at={"draft_reply"})
    clock.now = opens + timedelta(days=1)
    while engine.fire_due_timers(session, clock.now):  # the mid-year report's task opens
        pass
    simulate.complete_one(session, engine, instance, "midyear_report", {
        "progress": "已编制湘江干流生态修复实施方案，首批12个项目开工，完成投资3.2亿元。"})
    clock.now = opens + timedelta(days=5)
    simulate.drive(session, engine, instance, answers={"draft_reply": {
        **simulate.ANSWERS["draft_reply"], "doc_number": f"湘sthjt函〔{congress.year}〕{number}号"}})
    return suggestion


def _resolved_escalation(session, engine, clock, commission, congress, deputy, number,
                         meeting) -> None:
    """A resolved escalation: the unit asked for high-level coordination (提请高位协调), the
    supervising leader recorded it a week later, and the unit went on to reply (workflows.escalations)."""
    from . import tasks
    clock.now = meeting - timedelta(days=5)
    suggestion = suggestions.register(
        session, engine, congress_session=congress, number=number,
        title="关于跨市域水污染联防联治的建议", body="关于跨市域水污染联防联治的建议。建议建立流域协调机制。",
        field="环保", lead_deputy=deputy, actor="commission")
    clock.now = meeting
    tasks.complete(session, engine, commission, suggestions.assign_task(session, suggestion).id,
                   {"mode": "sole", "lead_unit": "sthjt", "co_units": [], "key_suggestion": False})
    clock.now = meeting + timedelta(days=20)
    simulate.drive(session, engine, suggestion.instance_id, stop_at={"draft_reply"})
    simulate.complete_one(session, engine, suggestion.instance_id, "draft_reply", {
        **simulate.ANSWERS["draft_reply"], "action": "request_coordination",
        "coordination_reason": "涉及上下游多个设区市，需省领导协调"})
    clock.now = meeting + timedelta(days=27)
    simulate.complete_one(session, engine, suggestion.instance_id, "coordinate_requested",
                          {"coordination_note": "已召开流域协调会，明确各市责任"})
    clock.now = meeting + timedelta(days=45)
    simulate.drive(session, engine, suggestion.instance_id, stop_at={"feedback"},
                   answers={"draft_reply": {**simulate.ANSWERS["draft_reply"],
                                            "doc_number": f"湘sthjt函〔2026〕{number}号"}})


def _merged_case(session, engine, clock, congress, commission, number, deputy, host_deputy,
                 paper_deputy, meeting) -> None:
    """并案: two identical suggestions registered on their own (the demo `deputy`'s and the
    account-less deputy's) merged into a third when it is assigned. Their own cases closed as
    merged; the reply went out, the host's deputy rated it, and each merged deputy's rating
    waits: the demo deputy's in their inbox, the paper one in the commission's queue (代录)."""
    from . import tasks
    clock.now = meeting - timedelta(days=5)
    title = "关于城际铁路沿线站点设置的建议"
    merged = [suggestions.register(
        session, engine, congress_session=congress, number=number + i, title=title,
        body=f"{title}。建议在沿线县市增设站点。", field="交通", lead_deputy=lead,
        actor="commission") for i, lead in ((1, deputy), (2, paper_deputy))]
    host = suggestions.register(
        session, engine, congress_session=congress, number=number + 3,
        title="关于城际铁路沿线设站的建议", body="关于城际铁路沿线设站的建议。建议统筹规划站点。",
        field="交通", lead_deputy=host_deputy, actor="commission")
    clock.now = meeting
    tasks.complete(session, engine, commission, suggestions.assign_task(session, host).id, {
        "mode": "merged", "lead_unit": "jtt", "co_units": ["fgw"], "key_suggestion": False,
        "merged_numbers": [s.number for s in merged]})
    clock.now = meeting + timedelta(days=60)
    simulate.drive(session, engine, host.instance_id, stop_at={"merged_feedback"}, answers={
        "draft_reply": {**simulate.ANSWERS["draft_reply"], "answer_class": "B",
                        "doc_number": f"湘jtt函〔2026〕{host.number}号"}})


def _co_units_ahead_of_the_lead(session, engine, clock, commission, congress, deputy, number,
                                meeting) -> None:
    """Co-units start at assignment (issue 14 item 2): 省发改委 gave its opinion while the lead
    unit had not acknowledged; the lead unit's return was granted and the case reassigned to
    住建厅, which now acknowledges; 财政厅, acknowledged before, still owes its opinion and did
    not acknowledge again; 发改委's opinion stands for the new lead unit."""
    from . import tasks
    clock.now = meeting - timedelta(days=5)
    title = "关于推进城际铁路站城融合开发的建议"
    suggestion = suggestions.register(
        session, engine, congress_session=congress, number=number, title=title,
        body=f"{title}。建议统筹站点周边土地开发。", field="交通", lead_deputy=deputy,
        actor="commission")
    instance = suggestion.instance_id
    clock.now = meeting
    tasks.complete(session, engine, commission, suggestions.assign_task(session, suggestion).id,
                   {"mode": "lead_co", "lead_unit": "jtt", "co_units": ["fgw", "czt"],
                    "key_suggestion": False})
    clock.now = meeting + timedelta(days=3)
    for step, answer in (("co_acknowledge", {"co_decision": "acknowledge"}),
                         ("co_opinion", {"opinion": "建议将站城融合纳入省级重点项目统筹推进。"})):
        simulate.complete_one(session, engine, instance, step, answer, unit="fgw")
    simulate.complete_one(session, engine, instance, "co_acknowledge",
                          {"co_decision": "acknowledge"}, unit="czt")
    clock.now = meeting + timedelta(days=5)
    simulate.complete_one(session, engine, instance, "acknowledge", {
        "decision": "request_return", "return_reason": "站城融合开发属住房城乡建设职能",
        "suggested_unit": "zjt"})
    clock.now = meeting + timedelta(days=8)
    simulate.complete_one(session, engine, instance, "decide_return", {
        "return_decision": "reassign", "new_unit": "zjt", "ruling_note": "同意改交住建厅主办"})
