"""Task instructions (`spiffworkflow:instructionsForEndUser`): Markdown filled with the task's data,
safely (engine/instructions.py), and refused at deploy when they would not render."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import DeployError, Package, compile_package
from engine import instructions
from engine.instructions import InstructionsError, render

PROCESSES = Path(__file__).resolve().parents[1] / "fixtures" / "processes"


def test_markdown_is_rendered_with_the_task_data_interpolated():
    html = render("**领取 {{ item }}**\n\n- 数量：{{ quantity }}\n- 备注：{{ note }}\n\n"
                  "{% for p in people %}{{ p.name }}、{% endfor %}",
                  {"item": "笔记本电脑", "quantity": 2, "people": [{"name": "甲"}, {"name": "乙"}]})
    assert "<strong>领取 笔记本电脑</strong>" in html
    assert "<li>数量：2</li>" in html and "<li>备注：</li>" in html  # undefined: empty
    assert "甲、乙、" in html


def test_undefined_chains_render_empty():
    assert render("a{{ missing.deeper.still }}b{{ x['y'] }}", {}) == "<p>ab</p>\n"


@pytest.mark.parametrize("template, data", [
    ("<script>alert(1)</script>", {}),
    ("{{ v }}", {"v": "<script>alert(1)</script>"}),
    ("<img src=x onerror=alert(1)>", {}),
    ("{{ v }}", {"v": '<a href="javascript:alert(1)" onclick="x()">a</a>'}),
    ("<svg onload=alert(1)>", {}),
])
def test_html_in_the_text_or_the_data_is_shown_as_text(template, data):
    html = render(template, data)
    assert "<script" not in html and "<img" not in html and "<svg" not in html
    assert "<a " not in html and "&lt;" in html


@pytest.mark.parametrize("link", [
    "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](data:text/html,<b>)",
    "[x](vbscript:msgbox)", "[x](//evil.example/x)", "[x](/\\evil.example)",
    "<javascript:alert(1)>", "[x](java&#x09;script:alert(1))",
])
def test_links_go_only_to_http_https_or_this_site(link):
    html = render(link, {})
    assert 'href="javascript' not in html.lower() and 'href="data' not in html
    assert 'href="//' not in html and "href=\"/\\" not in html


def test_kept_links_open_without_an_opener():
    html = render("[站内](/inbox) [外部](https://example.org/a)", {})
    assert '<a href="/inbox" rel="noopener noreferrer">站内</a>' in html
    assert '<a href="https://example.org/a" rel="noopener noreferrer">外部</a>' in html


@pytest.mark.parametrize("template", [
    "{{ ''.__class__ }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ x['__class__'] }}", "{{ x|attr('__class__') }}", "{{ lipsum.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}", "{{ ''.format.__self__ }}",
    "{% include 'base.html' %}", "{% extends 'base.html' %}", "{% import 'x' as y %}",
    "{% for a in x recursive %}{{ loop(a) }}{% endfor %}",
    "{{ x|center(100000000) }}", "{{ x|replace('a', 'aaaaaaaaaa') }}", "{{ x|format(1) }}",
])
def test_escapes_are_refused_before_rendering(template):
    assert instructions.problems_in(template)
    with pytest.raises(InstructionsError):
        render(template, {"x": "a"})


@pytest.mark.parametrize("template", [
    "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
    "{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10000) %}"
    "{% endfor %}{% endfor %}{% endfor %}",
    "{% for a in x %}{% for b in x %}{% for c in x %}{% endfor %}{% endfor %}{% endfor %}",
    "{{ 'x' * 1000000000 }}", "{{ [1] * 1000000000 }}", "{{ 2 ** 100000000 }}",
    "{{ 10 ** (10 ** 10) }}", "{{ '%999999999d' % 1 }}",
    "{% set s = 'xxxxxxxxxx' %}" + "{% set s = s ~ s %}" * 60 + "{{ s }}",
    "{% set s = 'xxxxxxxxxx' %}" + "{% set s = s + s %}" * 60 + "{{ s }}",
    "{{ range(100000000)|list }}", "{{ ''.ljust(1000000000) }}", "{{ 'a'.zfill(100000000) }}",
    "{{ x|join('y' * 50000) }}",
    "{% for i in range(10000) %}{{ 'y' * 1000 }}{% endfor %}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{% macro m(n) %}{{ m(n) }}{{ m(n) }}{% endmacro %}{{ m(1) }}",
])
def test_runaway_templates_are_stopped(template):
    """The budget stops them (how fast is `make bench`'s business, not a test's)."""
    with pytest.raises(InstructionsError):
        render(template, {"x": list(range(1000))})


def test_the_data_cannot_be_changed_from_a_template():
    data = {"items": [1, 2], "d": {"a": 1}}
    with pytest.raises(InstructionsError):
        render("{{ items.append(3) }}{{ d.update(b=2) }}{{ d.clear() }}", data)
    assert data == {"items": [1, 2], "d": {"a": 1}}


def _package(template: str) -> Package:
    """The review subprocess fixture, its user task carrying `template` as instructions."""
    bpmn = (PROCESSES / "review_sub.bpmn").read_text(encoding="utf-8")
    text = template.replace("&", "&amp;").replace("<", "&lt;")
    bpmn = bpmn.replace("</spiffworkflow:properties>", "</spiffworkflow:properties>\n"
                        f"<spiffworkflow:instructionsForEndUser>{text}"
                        "</spiffworkflow:instructionsForEndUser>", 1)
    return Package({"review_sub.bpmn": bpmn,
                    "review.schema.json": (PROCESSES / "review.schema.json").read_text("utf-8")})


@pytest.mark.parametrize("template, reason", [
    ("{% for x in %}oops", "do not parse"),
    ("{{ x.__class__ }}", "cannot read '__class__'"),
    ("{% include 'x' %}", "cannot use include"),
    ("{{ x|center(9) }}", "No filter named 'center'"),
    ("x" * 20_001, "longer than"),
])
def test_a_template_that_would_not_render_is_refused_at_deploy_with_its_element(template,
                                                                               reason):
    with pytest.raises(DeployError) as refused:
        compile_package(_package(template))
    [problem] = refused.value.problems
    assert (problem.file, problem.element_id) == ("review_sub.bpmn", "review")
    assert reason in problem.reason


def test_good_instructions_deploy_and_reach_the_task_spec():
    compiled = compile_package(_package("**请审核** {{ title }}"))
    spec, _subprocesses = compiled.spec("review_sub")
    assert instructions.of_spec(spec.task_specs["review"]) == "**请审核** {{ title }}"
