"""并案 on the web: the assign form refuses bad merged numbers and keeps what was typed; a merged
suggestion's page says where it went and shows the reply, its own letter and its rating; the
letter is the merged deputy's to download, not other deputies'."""
from __future__ import annotations

import html as html_lib
import re

from sqlalchemy import select

from models import HumanTask, Reply

from ..workflows.helpers import Cases

MERGED = {"mode": "merged", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


def test_the_assign_form_refuses_bad_merged_numbers_and_keeps_the_input(login_as, db,
                                                                        domain_engine, org):
    cases = Cases(db, domain_engine, org)
    cases.register(deputy="李强")
    host = cases.register()
    with db.session() as s:
        task = s.scalar(select(HumanTask).where(HumanTask.instance_id == cases.case(host),
                                                HumanTask.bpmn_id == "assign"))
    c = login_as("commission")
    c.get(f"/tasks/{task.id}")
    refused = c.post(f"/tasks/{task.id}", {"action": "complete", "mode": "merged",
                                           "lead_unit": "transport", "merged_numbers": "1, 999"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "本次会议没有第999号建议" in page
    assert re.search(r'name="merged_numbers" value="1, 999"', page)
    assert "assign" in cases.tasks(cases.case(host))
    done = c.post(f"/tasks/{task.id}", {"action": "complete", "mode": "merged",
                                        "lead_unit": "transport", "merged_numbers": "1"})
    assert done.status_code == 302


def test_a_merged_deputy_sees_the_reply_and_only_they_get_its_letter(login_as, db,
                                                                     domain_engine, org):
    cases = Cases(db, domain_engine, org)
    first = cases.register(deputy="李强", title="关于城际铁路站点设置的建议")
    host, case = cases.new({**MERGED, "merged_numbers": [1]})
    unrelated, _ = cases.new({"mode": "sole", "lead_unit": "water", "key_suggestion": False},
                             deputy="张伟", title="关于水库除险加固的建议")
    cases.drive(case, stop_at={"feedback", "merged_feedback"})
    with db.session() as s:
        reply = s.scalars(select(Reply)).one()
    li = login_as(f"dep_{org.deputies['李强']}")
    page = li.get(f"/cases/{first}").get_data(as_text=True)
    merged_into = re.search(r'<p id="merged-into">(.*?)</p>', page, re.S).group(1)
    assert "已并入第2号建议办理" in merged_into and "代表工委" in merged_into  # who, by name
    assert "commission" not in merged_into
    assert 'id="replies"' in page and "省交通运输厅" in page
    assert "并案代表反馈" in page  # their rating waits, in their inbox
    link = html_lib.unescape(re.search(r'href="(/replies/\d+/letter[^"]*)"', page).group(1))
    assert link == f"/replies/{reply.id}/letter?suggestion={first}"
    letter = li.get(link)
    assert letter.status_code == 200 and letter.data[:2] == b"PK"
    # the host's own letter (to the host's deputy) is not theirs
    assert li.get(f"/replies/{reply.id}/letter").status_code == 403
    # other deputies: neither the merged deputy's letter nor one under their own suggestion
    zhang = login_as(f"dep_{org.deputies['张伟']}")
    assert zhang.get(link).status_code == 403
    assert zhang.get(f"/replies/{reply.id}/letter?suggestion={unrelated}").status_code == 404
    wang = login_as(f"dep_{org.deputies['王芳']}")
    assert wang.get(link).status_code == 403
    assert wang.get(f"/replies/{reply.id}/letter").status_code == 200
    # the merged deputy rates; their page shows their rating, the host's page shows it as theirs
    [task] = cases.tasks(case)["merged_feedback"]
    li.get(f"/tasks/{task.id}")
    done = li.post(f"/tasks/{task.id}", {"action": "complete", "satisfaction": "satisfied",
                                         "comment": "站点已调整"})
    assert done.status_code == 302
    page = li.get(f"/cases/{first}").get_data(as_text=True)
    assert 'id="feedback"' in page and "站点已调整" in page
    commission = login_as("commission").get(f"/cases/{host}").get_data(as_text=True)
    assert "第1号建议（并案）" in commission and "站点已调整" in commission
    assert 'id="merged-suggestions"' in commission
    merged_page = login_as("commission").get(f"/cases/{first}").get_data(as_text=True)
    assert f'href="/cases/{host}" id="host-link"' in merged_page
