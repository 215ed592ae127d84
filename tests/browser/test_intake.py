"""提出建议 in the browser: a deputy drafts and sees similar registered suggestions with their
replies, a co-signer confirms, the deputy submits, the commission accepts — and the suggestion
is in /cases with its co-signer. Under the content security policy throughout."""
from __future__ import annotations

from ..workflows.helpers import Cases
from .test_csp import Watched

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
TITLE = "关于加快城际铁路规划线路建设的建议"
BODY = ("经过对沿线城市的专题调研，城际铁路规划线路迟迟未能开工，沿线群众通勤时间长。"
        "建议省发展改革委加快城际铁路前期工作，出台建设资金支持政策。")


def test_a_deputy_submits_online_and_the_commission_registers(server, browser, shots, db,
                                                             domain_engine, org):
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new(SOLE, title="关于加快城际铁路建设的建议")
    cases.drive(case, stop_at={"feedback"})  # an earlier suggestion with its reply
    lead = Watched(browser, server, f"dep_{org.deputies['王芳']}", shots)
    co_signer = Watched(browser, server, f"dep_{org.deputies['李强']}", shots)
    commission = Watched(browser, server, "commission", shots)

    page = lead.page
    lead.visit(f"{server}/intake")
    page.click("#new-intake-button")
    page.wait_for_selector("#task-form")
    page.fill("[name=title]", TITLE)
    page.select_option("select[name=field]", "交通")
    page.fill("[name=body]", BODY)
    page.check(f"input[name=co_signers][value='{org.deputies['李强']}']")
    assert page.locator("input[name=co_signers]").count() == 3
    assert not page.locator(f"input[name=co_signers][value='{org.deputies['王芳']}']").is_visible()
    similar = page.locator("#intake-similar-list li.similar", has_text="关于加快城际铁路建设的建议")
    similar.wait_for()
    assert similar.locator("li.reply").count() >= 1
    assert "类" in similar.locator("li.reply").first.inner_text()
    assert "省交通运输厅" in similar.inner_text()
    lead.shot("01-draft-zh")
    page.check("input[name=action][value=submit]")  # 李强 has not confirmed: refused, text kept
    page.click("#complete")
    page.wait_for_selector("#form-errors")
    assert "李强" in page.inner_text("#task-form") and page.input_value("[name=title]") == TITLE
    assert page.input_value("[name=body]") == BODY
    lead.shot("02-submit-refused-zh")
    page.check("input[name=action][value=invite]")
    lead.submit()

    co_signer.open_task("联名确认", title=TITLE)
    assert BODY[:20] in co_signer.page.inner_text("#instructions")
    co_signer.choose("answer", "confirmed")
    co_signer.submit()

    lead.open_task("撰写建议")
    assert page.input_value("[name=title]") == TITLE  # what was written comes back
    assert "已确认" in page.inner_text("#intake-cosigners")
    lead.shot("03-draft-confirmed-zh")
    page.check("input[name=action][value=submit]")
    lead.submit()
    lead.visit(f"{server}/intake")
    assert "等待代表工委立案审查" in page.inner_text("#intake-list")
    lead.shot("04-my-submissions-zh")

    commission.open_task("立案审查", title=TITLE)
    assert "李强" in commission.page.inner_text("#instructions")
    commission.shot("05-review-zh")
    commission.choose("decision", "accept")
    commission.submit()
    commission.visit(f"{server}/cases")
    commission.page.click(f"text={TITLE}")
    assert "李强" in commission.page.inner_text("main")
    commission.shot("06-registered-case-zh")
    for person in (lead, co_signer, commission):
        assert person.violations() == []
