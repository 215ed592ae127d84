"""Deploy refuses what would fail at run time: a lane that names no role."""
from __future__ import annotations

import pytest

from engine import DeployError, Package

from ..conftest import BPMN


def _renamed(old: str, new: str) -> Package:
    files = dict(Package.from_folder(BPMN).files)
    text = files["unit_handling.bpmn"]
    assert f'name="{old}"' in text
    files["unit_handling.bpmn"] = text.replace(f'name="{old}"', f'name="{new}"', 1)
    return Package(files)


def test_a_lane_that_names_no_role_is_refused_with_the_lane_id(domain_engine):
    with pytest.raises(DeployError) as err:
        domain_engine.compile(_renamed("Reviewer", "Finance"))
    [problem] = err.value.problems
    assert (problem.file, problem.element_id) == ("unit_handling.bpmn", "lane_Reviewer")
    assert problem.reason.startswith("lane 'Finance' names no role")


def test_the_refused_lane_is_shown_by_the_designer(app, login_as, db):
    from workflows.users import create_user
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
    designer = login_as("designer")
    designer.get("/designer")
    response = designer.http.post("/designer/validate",
                                  json={"files": dict(_renamed("Signer", "GeneralOffice").files)},
                                  headers={"X-CSRFToken": designer.token})
    problems = response.get_json()["problems"]
    assert any(p["element_id"] == "lane_Signer" and "GeneralOffice" in p["reason"]
               for p in problems), problems


def test_every_shipped_lane_names_a_role(domain_engine):
    domain_engine.compile(Package.from_folder(BPMN))  # raises if not
