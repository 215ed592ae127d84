"""The people of a browser test and the steps they take, shared by the flows of every handling
mode: each step is done through the web UI as the person whose task it is."""
from __future__ import annotations

import re

# The test province's units (tests/conftest.py UNITS): code -> name as pages show it.
UNIT_NAMES = {"transport": "省交通运输厅", "finance": "省财政厅", "education": "省教育厅",
              "water": "省水利厅", "power": "国网省电力公司"}
DEPUTY = "王芳（长沙市）"


class Person:
    """A browser context logged in as one user."""

    def __init__(self, browser, base, username, shots):
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.base, self.username, self.shots = base, username, shots
        self.page.goto(f"{base}/login")
        self.page.fill("#username", username)
        self.page.fill("#password", "pw")
        self.page.click("#login button[type=submit]")
        self.page.wait_for_url(f"{base}/inbox")

    def shot(self, name):
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def open_task(self, step_name, subject=None, title=None):
        """Open the task of that step from the inbox (claiming it from the queue if needed);
        `subject` (the unit a feedback rates) and `title` (the suggestion) pick one of several."""
        exact = self.page.locator("a.task-link",
                                  has_text=re.compile(f"^{re.escape(step_name)}$"))
        loose = self.page.locator("a.task-link", has_text=step_name)  # "分办" finds 单位内分办
        for queue in ("mine", "queue"):
            self.page.goto(f"{self.base}/inbox?queue={queue}")
            for step in (exact, loose):
                rows = self.page.locator("tr[data-task]").filter(has=step)
                for text in (subject, title):
                    if text:
                        rows = rows.filter(has_text=text)
                if rows.count():
                    rows.first.locator("a.task-link").click()
                    self.page.wait_for_selector("#task-form")
                    return
        raise AssertionError(f"{self.username} has no '{step_name}' task ({subject}, {title})")

    def choose(self, field, value):
        self.page.check(f"input[name={field}][value={value}]")

    def register(self, title, body, field="交通", shot=None):
        """Register a suggestion of 王芳; the commission goes straight on to its assign form."""
        page = self.page
        page.goto(f"{self.base}/register")
        page.fill("#title", title)
        page.fill("#body", body)
        page.select_option("#field", field)
        page.select_option("#lead_deputy", label=DEPUTY)
        if shot:
            self.shot(shot)
        page.click("#register")
        page.wait_for_selector("#task-form")

    def register_sole(self, title, body, lead_unit="transport", shot=None):
        """Register and fill the assign form for sole handling by `lead_unit`; the caller
        submits."""
        self.register(title, body, shot=shot)
        self.choose("mode", "sole")
        self.page.select_option("#f-lead_unit", lead_unit)

    def assign(self, mode, lead_unit=None, co_units=(), units=(), shot=None):
        """Fill the open assign form (交办) and submit it: the units ticked in the order given."""
        self.choose("mode", mode)
        if lead_unit:
            self.page.select_option("#f-lead_unit", lead_unit)
        for code in co_units:
            self.page.check(f"input[name=co_units][value={code}]")
        for code in units:
            self.page.check(f"input[name=units][value={code}]")
        if shot:
            self.shot(shot)
        self.submit()

    def submit(self):
        """Complete the open task; the page then shows the case's next task of this person or
        where the case waits (its page, or the inbox for a case they may not see)."""
        with self.page.expect_navigation():
            self.page.click("#complete")
        assert self.page.locator(".flash", has_text="已提交").count() == 1

    def open_editor(self) -> list[str]:
        """The designer's editor on the newest version, ready; returns the list the page's
        script errors will be collected in."""
        errors: list[str] = []
        self.page.on("pageerror", lambda err: errors.append(str(err)))
        self.page.goto(f"{self.base}/designer")
        self.page.click("#edit-newest")
        self.page.wait_for_selector("#designer[data-ready=true]")
        return errors

    def add_lane_rule(self, lane: str, kind: str, role: str | None = None,
                      path: str | None = None) -> None:
        """Fill the form beside a lane-without-a-rule problem; wait for that problem to go."""
        form = self.page.locator(f"#problems li form.lane-rule[data-lane='{lane}']")
        form.locator("select[name=kind]").select_option(kind)
        if role:
            form.locator("select[name=role]").select_option(role)
        if path:
            form.locator("input[name=path]").fill(path)
        form.locator("button[type=submit]").click()
        self.page.wait_for_selector(f"#problems li form.lane-rule[data-lane='{lane}']",
                                    state="detached")

    def close(self):
        self.context.close()


class Cast:
    """Everyone of a test, each logged in once, on first need."""

    def __init__(self, browser, base, shots):
        self.browser, self.base, self.shots = browser, base, shots
        self.people: dict[str, Person] = {}

    def __getitem__(self, username) -> Person:
        if username not in self.people:
            self.people[username] = Person(self.browser, self.base, username, self.shots)
        return self.people[username]

    def close(self):
        for person in self.people.values():
            person.close()


# ---- the steps of a handling unit ---------------------------------------------------------

def acknowledge(cast, unit, title):
    """签收 (the lead unit, a sole unit or each unit of separate handling)."""
    handler = cast[f"{unit}_unit_handler"]
    handler.open_task("签收", title=title)
    handler.choose("decision", "acknowledge")
    handler.submit()


def co_acknowledge_and_opinion(cast, unit, title, opinion):
    """会办签收, then the written co-handling opinion (会办意见) to the lead unit."""
    handler = cast[f"{unit}_unit_handler"]
    handler.open_task("会办签收", title=title)
    handler.choose("co_decision", "acknowledge")
    handler.submit()
    handler.open_task("会办意见", title=title)
    handler.page.fill("#f-opinion", opinion)
    handler.submit()


def distribute_and_consult(cast, unit, title):
    """单位内分办 to the first division, then 面商 with the deputy."""
    handler = cast[f"{unit}_unit_handler"]
    handler.open_task("单位内分办", title=title)
    handler.page.select_option("#f-lead_division", index=1)
    handler.submit()
    handler.open_task("面商", title=title)
    page = handler.page
    page.fill("#f-consulted_on", "2026-03-20")
    handler.choose("consultation_form", "face_to_face")
    page.fill("#f-participants", f"{UNIT_NAMES[unit]}处室负责同志、王芳代表")
    page.fill("#f-deputy_view", "认可办理思路")
    handler.submit()


def draft_reply(cast, unit, title, doc_number, points, answer_class="A", shot=None):
    """答复拟稿 submitted for review; returns what the approvers must see."""
    handler = cast[f"{unit}_unit_handler"]
    handler.open_task("答复拟稿", title=title)
    page = handler.page
    handler.choose("answer_class", answer_class)
    page.fill("#f-doc_number", doc_number)
    page.fill("#f-answer_text", "\n\n".join(points))
    page.fill("#f-contact_person", "刘芳")
    page.fill("#f-contact_phone", "0731-88880000")
    handler.choose("action", "submit")
    if shot:
        handler.shot(shot)
    handler.submit()


def approve(cast, unit, title, doc_number, shot=None):
    """审核 by the deputy head in charge, 签发 by the principal head: each sees the letter."""
    for role, step, field in (("reviewer", "审核", "review_decision"),
                              ("signer", "签发", "sign_decision")):
        person = cast[f"{unit}_{role}"]
        person.open_task(step, title=title)
        letter = person.page.inner_text("#draft-letter")
        assert doc_number in letter and UNIT_NAMES[unit] in letter
        person.choose(field, "approve")
        if shot:
            person.shot(f"{shot}-{role}")
        person.submit()


def reply(cast, unit, title, doc_number, points, shot=None):
    """A unit's whole reply after acknowledgement: distribute, consult, draft, review, sign."""
    distribute_and_consult(cast, unit, title)
    draft_reply(cast, unit, title, doc_number, points)
    approve(cast, unit, title, doc_number, shot=shot)


def rate(cast, deputy, title, ratings, shot=None):
    """The deputy rates each unit (反馈 for the lead or each unit, 评价会办单位 for co-units):
    `ratings` is [(step, unit code, satisfaction)]."""
    person = cast[deputy]
    for step, unit, satisfaction in ratings:
        person.open_task(step, subject=UNIT_NAMES[unit], title=title)
        assert UNIT_NAMES[unit] in person.page.inner_text("h1")
        person.choose("satisfaction", satisfaction)
        person.page.fill("#f-comment", f"{UNIT_NAMES[unit]}答复具体")
        if shot:
            person.shot(f"{shot}-{unit}")
        person.submit()


def download_letters(person, suggestion_id):
    """The case page: closed, with one reply letter per replying unit, each downloaded."""
    page = person.page
    page.goto(f"{person.base}/cases/{suggestion_id}")
    names = []
    for i in range(page.locator("a.letter").count()):
        with page.expect_download() as download:
            page.locator("a.letter").nth(i).click()
        names.append(download.value.suggested_filename)
    return names
