"""Under the Content-Security-Policy, in Chromium: the case viewer and the designer work with no
policy violation, and markup planted in a stored BPMN file never runs - neither through the
viewer and editor nor when the raw file URL is opened."""
from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from models import ProcessInstance, ProcessVersion
from workflows.users import create_user

from ..workflows.helpers import Cases
from .test_suggestion_flow import Person

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)
SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}

# Each way a browser could run markup from an XML file: an XHTML script, SVG's onload, an XHTML
# image's onerror, and an XSLT stylesheet. Had any of them run, the browser would ask for a URL
# under /pwned/ (and the scripts would also set window.pwned).
PWNED = "/pwned/"
PAYLOAD = (
    '<h:script xmlns:h="http://www.w3.org/1999/xhtml">'
    "window.pwned = true; fetch('/pwned/script'); new Image().src = '/pwned/script-img';"
    "</h:script>"
    '<svg:svg xmlns:svg="http://www.w3.org/2000/svg" '
    "onload=\"window.pwned = true; fetch('/pwned/svg')\"/>"
    '<h:img xmlns:h="http://www.w3.org/1999/xhtml" src="/pwned/img-src" '
    "onerror=\"window.pwned = true; fetch('/pwned/onerror')\"/>"
)
STYLESHEET = '<?xml-stylesheet type="text/xsl" href="/pwned/xslt"?>\n'
# Chromium's console text for a blocked resource or inline code.
VIOLATION = "Content Security Policy"
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(
  `${e.violatedDirective} ${e.blockedURI || ''} ${e.sourceFile || ''}:${e.lineNumber}`));
"""


def plant(text: str, stylesheet: bool) -> str:
    """The stored file with the payload in its first extensionElements (and a stylesheet: one
    file only, as a browser that fails to load one shows an error instead of running scripts)."""
    text = text.replace("<bpmn:extensionElements>", "<bpmn:extensionElements>" + PAYLOAD, 1)
    if stylesheet:
        text = text.replace("<bpmn:definitions", STYLESHEET + "<bpmn:definitions", 1)
    return text


class Watched(Person):
    """A logged-in browser context that records CSP violations and requests for /pwned/."""

    def __init__(self, browser, base, username, shots):
        super().__init__(browser, base, username, shots)
        self.requests, self.console = [], []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.add_init_script(WATCH_VIOLATIONS)
        self.page.on("console", lambda m: self.console.append(m.text))
        self.page.on("pageerror", lambda err: self.console.append(f"pageerror: {err}"))

    def visit(self, url: str):
        """Open a page and check it is served under the policy (so "no violation" means
        something)."""
        response = self.page.goto(url)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self';" in policy and "unsafe" not in policy, url
        return response

    def violations(self) -> list[str]:
        reported = self.page.evaluate("window.__violations || []")
        return reported + [m for m in self.console if VIOLATION in m or m.startswith("pageerror")]

    def pwned(self) -> list[str]:
        return [url for url in self.requests if PWNED in url]

    def open_raw(self, url: str):
        """Navigate to a stored-file URL as a person following a link would. Returns the
        download, or None when the browser rendered the file as a document (the old hole)."""
        downloads = []

        def keep(download):
            downloads.append(download)
        self.page.on("download", keep)
        try:
            self.page.goto(url)
        except PlaywrightError as err:  # "Download is starting": the navigation became one
            if "Download is starting" not in str(err):
                raise
            return downloads[0] if downloads else self.page.wait_for_event("download")
        finally:
            self.page.remove_listener("download", keep)
        return None


@pytest.fixture
def planted(db, domain_engine, org):
    """A case at `consult` whose version's stored BPMN files carry the payload.

    The files are changed in the database after the case started, bypassing deploy (which
    refuses them, tests/security/test_uploaded_xml.py): the engine keeps the version it compiled,
    as a running server does, while the viewer and the file URLs read the stored text.
    """
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"consult"})
    with db.write() as s:
        version = s.get(ProcessVersion, s.scalar(select(ProcessInstance.process_version_id)
                                                 .where(ProcessInstance.id == case)))
        files = dict(version.files)
        for name in ("suggestion.bpmn", "unit_handling.bpmn"):
            files[name] = plant(files[name], stylesheet=name == "unit_handling.bpmn")
            assert PAYLOAD in files[name]
        version.files = files
        return sid, version.id


def test_case_viewer_renders_under_the_policy_and_planted_markup_never_runs(
        server, browser, shots, planted):
    sid, version_id = planted
    commission = Watched(browser, server, "commission", shots)
    page = commission.page
    commission.visit(f"{server}/cases/{sid}")
    page.wait_for_selector(".diagram[data-ready=true] .djs-element.active")
    assert page.locator(".diagram[data-ready=true]").count() == 2  # both files rendered
    assert page.locator(".diagram .djs-element[data-element-id=consult].active").count() == 1
    commission.shot("01-case-page-under-csp")
    assert page.evaluate("window.pwned === undefined")
    assert commission.violations() == []

    for name in ("suggestion.bpmn", "unit_handling.bpmn"):
        download = commission.open_raw(f"{server}/cases/{sid}/diagram/{name}")
        assert commission.pwned() == [] and page.evaluate("window.pwned === undefined")
        assert download is not None and download.suggested_filename == name
        assert PAYLOAD in open(download.path(), encoding="utf-8").read()  # served as it is stored
    page.goto(f"{server}/cases/{sid}")  # and the viewer once more after the downloads
    page.wait_for_selector(".diagram[data-ready=true] .djs-element.active")
    assert page.evaluate("window.pwned === undefined")
    assert commission.pwned() == []
    assert commission.violations() == []


def test_designer_edits_under_the_policy_and_planted_markup_never_runs(
        server, browser, shots, planted):
    _sid, version_id = planted
    designer = Watched(browser, server, "designer", shots)
    page = designer.page
    page.goto(f"{server}/designer")
    for name in ("suggestion.bpmn", "unit_handling.bpmn"):
        download = designer.open_raw(f"{server}/designer/versions/{version_id}/files/{name}")
        assert designer.pwned() == [] and page.evaluate("window.pwned === undefined")
        assert download is not None and download.suggested_filename == name

    designer.visit(f"{server}/designer/versions/{version_id}/edit")
    page.wait_for_selector("#designer[data-ready=true]")
    page.click("button.tab[data-file='suggestion.bpmn']")
    page.wait_for_selector(
        "#designer[data-file='suggestion.bpmn'] .djs-element[data-element-id=assign]")
    # The editor works: select an element, read its properties, validate (the planted file is
    # refused, naming the element), preview a form.
    page.click(".djs-element[data-element-id=assign]")
    page.wait_for_selector("#prop-id")
    assert page.input_value("#prop-id") == "assign"
    page.click("#insert-user-task")  # modeling: shapes moved, a lane resized, a task added
    page.wait_for_function("document.getElementById('prop-id').value !== 'assign'")
    task = page.locator(f".djs-element[data-element-id={page.input_value('#prop-id')}]")
    task.dblclick()  # the label editor
    page.wait_for_selector(".djs-direct-editing-parent", state="visible")
    page.keyboard.type("核对")
    page.click("#canvas", position={"x": 5, "y": 5})
    box = task.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 30, box["y"] + box["height"] / 2 + 10, steps=5)
    page.mouse.up()
    page.hover(".djs-palette .entry")
    page.click(".djs-element[data-element-id=assign]")
    page.click(".djs-context-pad .entry[data-action=replace]")  # the replace menu (a popup)
    page.wait_for_selector(".djs-popup")
    page.keyboard.press("Escape")
    page.click("#validate")
    page.wait_for_selector("#designer[data-validated=problems]")
    assert "h:script" in page.inner_text("#problems")
    designer.shot("02-designer-under-csp")
    page.click("button.tab[data-file='assign.schema.json']")
    page.wait_for_selector("#form-preview [data-field]")
    assert page.evaluate("window.pwned === undefined")
    assert designer.pwned() == []
    assert designer.violations() == []


def test_pages_with_scripts_report_no_violation(server, browser, shots, planted):
    """Every page that loads a script (and a few that do not) under the policy."""
    sid, _version_id = planted
    commission = Watched(browser, server, "commission", shots)
    page = commission.page
    commission.visit(f"{server}/supervision")
    page.wait_for_selector("body[data-charts-ready=true]")
    commission.shot("03-supervision-under-csp")
    for path in ("/inbox", "/cases", f"/cases/{sid}", "/notifications", "/register", "/password"):
        commission.visit(server + path)
    commission.visit(f"{server}/lang/en")
    assert commission.violations() == []
