"""The one vocabulary (词表): every code list the database stores, in order, with its Chinese
and English label.

Handling modes, assignment roles, satisfaction levels, answer classes, user roles, statuses,
consultation forms, report periods, escalation levels, notification kinds and instance states
were each written out in three to five places (models, import, ledger, statistics, letters,
i18n, templates), so a new code or a reworded label had to be found everywhere. Here each list
is written once; the rest read it. Pure data and small lookups, no Flask, so the lowest layer
(the models) can import it too. tests/models/test_vocabulary.py checks that the forms' enums and
the operators' codes are all here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional


@dataclass(frozen=True)
class Term:
    """One code with its labels. `long` is the wording where the short label is not enough
    (a notice's subject, a report's column), as (Chinese, English); `aliases` are other
    spellings accepted when reading a file (the assignment table)."""

    code: str
    zh: str
    en: str
    long: Optional[tuple[str, str]] = None
    aliases: tuple[str, ...] = ()

    @property
    def pair(self) -> tuple[str, str]:
        return self.zh, self.en

    @property
    def long_pair(self) -> tuple[str, str]:
        return self.long or self.pair


class CodeList:
    """An ordered list of terms, looked up by code."""

    def __init__(self, name: str, *terms: Term):
        self.name = name
        self.terms = terms
        self._by_code = {t.code: t for t in terms}

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self.terms)

    def __getitem__(self, code: str) -> Term:
        return self._by_code[code]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def pairs(self) -> dict[str, tuple[str, str]]:
        """code -> (Chinese, English)."""
        return {t.code: t.pair for t in self.terms}

    def labels(self, english: bool = False) -> dict[str, str]:
        """code -> label in one language."""
        return {t.code: t.en if english else t.zh for t in self.terms}

    def label(self, code: str | None, english: bool = False, default: str | None = None) -> str:
        """The code's label in one language; an unknown code is shown as `default` (else
        itself), an empty one as ""."""
        if not code:
            return ""
        term = self._by_code.get(code)
        if term is None:
            return code if default is None else default
        return term.en if english else term.zh

    def parse(self, text: str) -> Optional[str]:
        """The code a cell names: the code itself, its Chinese label or an alias."""
        for t in self.terms:
            if text in (t.code, t.zh, *t.aliases):
                return t.code
        return None


# 办理方式: how a suggestion is handled (Suggestion.mode).
MODES = CodeList(
    "mode",
    Term("lead_co", "主办+会办", "Lead + co-handling", aliases=("主办会办",)),
    Term("separate", "分办", "Separate handling"),
    Term("sole", "独办", "Sole handling"),
    Term("merged", "并案", "Merged handling"),
)
# A unit's part in a suggestion (Assignment.role).
ASSIGNMENT_ROLES = CodeList(
    "assignment_role",
    Term("lead", "主办", "Lead"),
    Term("co", "会办", "Co-handling"),
    Term("separate", "分办", "Separate handling"),
    Term("sole", "独办", "Sole handling"),
)
# The roles that reply to the deputy themselves (co-units send an opinion to the lead unit).
LEAD_ROLES = ("lead", "sole", "separate")
# 满意度: the deputy's rating of a reply (Feedback.satisfaction), best first.
SATISFACTION = CodeList(
    "satisfaction",
    Term("very_satisfied", "非常满意", "Very satisfied"),
    Term("satisfied", "满意", "Satisfied"),
    Term("basically_satisfied", "基本满意", "Basically satisfied"),
    Term("dissatisfied", "不满意", "Dissatisfied"),
)
# 答复类别: what the reply says of the suggestion (Reply.answer_class); the letter shows "A类".
ANSWER_CLASSES = CodeList(
    "answer_class",
    Term("A", "已解决或基本解决", "Solved or basically solved"),
    Term("B", "正在解决或列入规划逐步解决", "Being solved / in plan"),
    Term("C", "因条件限制需待以后解决", "Cannot be solved now, explained"),
    Term("D", "留作参考", "Kept for reference"),
)
# 角色: a user's role (User.role); an administrator may add more (table `role`).
ROLES = CodeList(
    "role",
    Term("commission", "代表工委", "Commission staff"),
    Term("unit_handler", "承办处室", "Unit handler"),
    Term("reviewer", "分管负责同志", "Deputy head (reviewer)"),
    Term("signer", "主要负责同志", "Principal head (signer)"),
    Term("deputy", "代表", "Deputy"),
    Term("provincial_leader", "省领导", "Provincial leader"),
    Term("committee", "专门委员会", "Special committee"),
    Term("designer", "流程设计", "Process designer"),
    Term("admin", "管理员", "Administrator"),
)
# A suggestion's status (Suggestion.status).
SUGGESTION_STATUSES = CodeList(
    "suggestion_status",
    Term("registered", "已登记", "Registered"),
    Term("assigned", "已交办", "Assigned"),
    Term("handling", "办理中", "In handling"),
    Term("replied", "已答复", "Replied"),
    Term("closed", "已办结", "Closed"),
    # merged into another suggestion (并案), which is handled for it; labelled as the mode
    Term("merged", "并案", "Merged handling"),
)
# An assignment's status (Assignment.status).
ASSIGNMENT_STATUSES = CodeList(
    "assignment_status",
    Term("assigned", "已交办", "Assigned"),
    Term("acknowledged", "已签收", "Acknowledged"),
    Term("returned", "已退回", "Returned"),
    Term("replied", "已答复", "Replied"),
    Term("closed", "已办结", "Closed"),
    Term("follow_up", "跟踪办理", "Follow-up"),
)
# 面商形式: how the unit consulted the deputy (Consultation.form).
CONSULTATION_FORMS = CodeList(
    "consultation_form",
    Term("face_to_face", "当面商谈", "Face to face"),
    Term("site_visit", "实地察看", "Site visit"),
    Term("phone", "电话沟通", "Phone"),
    Term("forum", "座谈会", "Forum"),
)
# 督办形式: how a special committee supervised a suggestion (SupervisionActivity.form).
SUPERVISION_FORMS = CodeList(
    "supervision_form",
    Term("briefing", "专题汇报", "Topical briefing"),
    Term("field_study", "专项调研", "Special study"),
    Term("law_inspection", "执法检查", "Law-enforcement inspection"),
    Term("inquiry", "专题询问", "Topical inquiry"),
    Term("group_inspection", "集中视察", "Group inspection"),
    Term("symposium", "座谈", "Forum discussion"),
)
# Key suggestions' progress report periods (ProgressReport.period); `long` names the report.
REPORT_PERIODS = CodeList(
    "report_period",
    Term("midyear", "年中（督办推进会）", "Mid-year (supervision meeting)",
         long=("年中督办推进会进展报告", "mid-year progress report")),
    Term("november", "11月", "November", long=("11月进展报告", "November progress report")),
)
# Escalation levels (Escalation.level), mildest first; `long` is the notice's subject.
ESCALATION_LEVELS = CodeList(
    "escalation_level",
    Term("reminder", "提醒", "Reminder", long=("答复期限提醒", "Reply deadline reminder")),
    Term("supervision", "督办", "Supervision"),
    Term("high_level", "提请高位协调", "High-level coordination"),
)
# Notification kinds (Notification.kind), shown as the notice's tag.
NOTIFICATION_KINDS = CodeList(
    "notification_kind",
    Term("task", "新任务", "New task"),
    Term("send_back", "退回修改", "Sent back"),
    Term("reminder", "提醒", "Reminder"),
    Term("escalation", "督办", "Escalation"),
    Term("progress_report", "进展报告", "Progress report"),
    Term("reply", "答复", "Reply"),
)
# A handling unit's kind (Unit.kind): a government department's replies are copied to the
# government general office (workflows.replies).
UNIT_KINDS = CodeList(
    "unit_kind",
    Term("government", "政府部门", "Government department", aliases=("政府",)),
    Term("party_mass", "党群", "Party and mass organisation", aliases=("党群部门",)),
    Term("other", "其他", "Other", aliases=("其它", "other")),
)
# A process instance's state (ProcessInstance.status).
INSTANCE_STATES = CodeList(
    "instance_state",
    Term("running", "进行中", "Running"),
    Term("completed", "已结束", "Completed"),
    Term("cancelled", "已终止", "Cancelled"),
)

# 领域: a suggestion's field (Suggestion.field), a fixed list the registration form, the
# assignment table, deputies' drafts and every filter offer. The stored code is the Chinese
# name the bulletins and the assignment table use; English is its label.
FIELDS = CodeList(
    "field",
    Term("交通", "交通", "Transport"), Term("教育", "教育", "Education"),
    Term("医疗", "医疗", "Health"), Term("农业", "农业", "Agriculture"),
    Term("环境", "环境", "Environment"), Term("水利", "水利", "Water resources"),
    Term("社保", "社保", "Social security"), Term("民政", "民政", "Civil affairs"),
    Term("科技", "科技", "Science and technology"), Term("产业", "产业", "Industry"),
    Term("商贸", "商贸", "Commerce"), Term("文旅", "文旅", "Culture and tourism"),
    Term("安全", "安全", "Emergency and safety"), Term("市场", "市场", "Market regulation"),
    Term("能源", "能源", "Energy"), Term("通信", "通信", "Communications"),
    Term("治安", "治安", "Public security"), Term("财政", "财政", "Finance"),
    Term("城建", "城建", "Urban development", aliases=("住建", "城乡建设")),
    Term("法治", "法治", "Rule of law"), Term("其他", "其他", "Other"),
)

# Every list, in the order a code shared by two lists (same labels) is first met.
ALL = (ROLES, SUGGESTION_STATUSES, ASSIGNMENT_STATUSES, MODES, ASSIGNMENT_ROLES,
       NOTIFICATION_KINDS, ESCALATION_LEVELS, SATISFACTION, CONSULTATION_FORMS, REPORT_PERIODS,
       INSTANCE_STATES, UNIT_KINDS, SUPERVISION_FORMS)

# Words of the exports that are not codes of a list.
YES_NO = {True: ("是", "Yes"), False: ("否", "No")}
NOT_CONSULTED = ("未面商", "Not consulted")


def pick(pair: tuple[str, str], english: bool = False) -> str:
    return pair[1] if english else pair[0]
