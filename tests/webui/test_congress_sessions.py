"""The newest congress session is the one with the highest 届 and 次, not the row written last:
an administrator who enters last year's session after this year's must not send new suggestions
into it."""
from __future__ import annotations

from models import CongressSession
from workflows import congress_sessions


def test_an_earlier_session_entered_later_is_not_the_latest(db, org):
    with db.write() as s:
        s.add(CongressSession(congress=14, meeting=1, year=2024, name="省十四届人大一次会议"))
        s.add(CongressSession(congress=13, meeting=5, year=2022, name="省十三届人大五次会议"))
    with db.session() as s:
        current = s.get(CongressSession, org.congress_session_id)
        assert congress_sessions.latest(s).id == current.id
        order = [(c.congress, c.meeting) for c in congress_sessions.newest_first(s)]
        assert order == sorted(order, reverse=True) and order[0] == (current.congress,
                                                                        current.meeting)
        assert (congress_sessions.before(s, current).congress,
                congress_sessions.before(s, current).meeting) == (14, 1)
        assert congress_sessions.before(s, congress_sessions.newest_first(s)[-1]) is None


def test_the_register_page_numbers_in_the_latest_session(db, org, login_as):
    with db.write() as s:
        s.add(CongressSession(congress=14, meeting=1, year=2024, name="省十四届人大一次会议"))
    html = login_as("commission").get("/register").get_data(as_text=True)
    with db.session() as s:
        current = s.get(CongressSession, org.congress_session_id)
    assert current.name in html and "省十四届人大一次会议" not in html
