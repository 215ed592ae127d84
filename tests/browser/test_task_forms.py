"""Task forms in Chromium keep what the user meant: 暂存 saves even when the form's own field
下一步 says 提交审核, and uploading an attachment keeps what was typed."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Attachment, HumanTask, TaskDraft

from ..workflows.helpers import Cases

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


def test_save_and_upload_keep_the_draft_and_never_submit(cast, db, domain_engine, org, tmp_path):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"draft_reply"})
    [task] = cases.tasks(case)["draft_reply"]
    handler = cast["transport_unit_handler"]
    handler.open_task("答复拟稿")
    page = handler.page
    handler.choose("answer_class", "B")
    page.fill("#f-doc_number", "湘交函〔2026〕40号")
    page.fill("#f-answer_text", "一、已列入明年计划。")
    page.fill("#f-contact_person", "刘芳")
    page.fill("#f-contact_phone", "0731-88880000")
    handler.choose("action", "submit")  # 下一步 = 提交审核, then 暂存
    page.click("#save-draft")
    page.wait_for_selector(".flash.success")
    assert "已暂存" in page.inner_text(".flash")
    assert page.url.endswith(f"/tasks/{task.id}")
    assert set(cases.tasks(case)) == {"draft_reply"}  # still at the drafter, not in review
    assert page.input_value("#f-doc_number") == "湘交函〔2026〕40号"
    assert page.is_checked("input[name=action][value=submit]")

    page.fill("#f-answer_text", "一、已列入明年计划。\n\n二、分两期实施。")  # typed, not saved
    plan = tmp_path / "实施方案.pdf"
    plan.write_bytes(b"%PDF-1.4 plan")
    page.set_input_files("#attachment-file", str(plan))
    assert page.inner_text("#attachment-name") == "实施方案.pdf"
    handler.shot("01-draft-before-upload")
    page.click("#upload")
    page.wait_for_selector("#attachments a")
    assert "附件已上传" in page.inner_text("main")
    assert page.input_value("#f-answer_text") == "一、已列入明年计划。\n\n二、分两期实施。"
    assert page.input_value("#f-doc_number") == "湘交函〔2026〕40号"
    assert page.inner_text("#attachments a") == "实施方案.pdf"
    handler.shot("02-draft-after-upload")
    with db.session() as s:
        assert s.get(HumanTask, task.id).state == "ready"
        assert s.scalar(select(Attachment.filename)) == "实施方案.pdf"
        assert s.get(TaskDraft, (task.id, "transport_unit_handler")).data["answer_text"] \
            .endswith("二、分两期实施。")
    handler.submit()  # and 提交 still submits
    assert "review" in cases.tasks(case)
