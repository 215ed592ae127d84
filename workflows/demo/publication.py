"""The demo's publication of replies (办理结果公开): the replies of the ordinary cases that their
units marked for publication are published by the commission, and two stories whose replies name
people and give phone numbers: one published with them masked, one waiting for review."""
from __future__ import annotations

from datetime import timedelta

from .. import publication, simulate, suggestions, tasks

STORIES = [  # (field, title, unit, contact person, contact phone, reply text)
    ("教育", "关于加强乡村学校寄宿条件建设的建议", "jyt", "王建国", "13907310001",
     "一、{deputy}代表提出的建议已纳入今年重点工作，已安排资金改造寄宿制学校宿舍。\n"
     "二、本件由基础教育处王建国同志承办，手机13907310001，如有问题可随时联系。"),
    ("交通", "关于完善农村客运站点布局的建议", "jtt", "刘洋", "0731-88881234",
     "一、已会同各市州对农村客运站点逐一排查，{deputy}代表反映的问题已列入整改清单。\n"
     "二、联系人：运输处刘洋，电话0731-88881234，邮箱liuyang@example.gov.cn。"),
]


def publish_replies(session, engine, clock, congress, commission, deputy, number,
                    meeting) -> None:
    """Run the two stories, then publish every reply waiting for review but the last story's."""
    replies = []
    for offset, (field, title, unit, person, phone, text) in enumerate(STORIES):
        clock.now = meeting
        suggestion = suggestions.register(
            session, engine, congress_session=congress, number=number + offset, title=title,
            body=f"{title}。", field=field, lead_deputy=deputy, actor="commission")
        tasks.complete(session, engine, commission,
                       suggestions.assign_task(session, suggestion).id,
                       {"mode": "sole", "lead_unit": unit, "co_units": [],
                        "key_suggestion": False})
        clock.now = meeting + timedelta(days=40)
        draft = {**simulate.DRAFT, "doc_number": f"湘{unit}函〔2026〕{number + offset}号",
                 "answer_text": text.format(deputy=deputy.name), "contact_person": person,
                 "contact_phone": phone, "action": "submit"}
        simulate.drive(session, engine, suggestion.instance_id, stop_at={"feedback"},
                       answers={"draft_reply": draft})
        replies.append(suggestion.id)
    clock.now = meeting + timedelta(days=80)
    waiting = publication.queue(session)
    for reply, suggestion, _unit in waiting:
        if suggestion.id == replies[-1]:
            continue  # left for the commission to review
        review = publication.review(session, reply.id)
        publication.approve(session, reply.id, [c.index for c in review.choices], None,
                            actor=commission.username, now=clock())
    session.flush()
