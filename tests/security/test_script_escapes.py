"""Scripts and expressions from BPMN cannot escape and cannot exhaust the server.

The corpus below holds escape attempts (each must be refused at deploy, refused again when the
text is compiled to run, and still fail if both checks were skipped, because the run-time guards
stand on their own) and exhaustion attempts (each passes deploy, as its syntax is ordinary, and
must be stopped at run time by the step's budget, with nothing of the step written).
"""
from __future__ import annotations

import ast
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import DeployError, LimitError, Package, ProcessError, guarded
from engine.guarded import guards, syntax
from engine.scripts import GuardedEnvironment
from models import AuditEvent, HumanTask, ProcessInstance, Timer

from ..conftest import PROCESSES, make_engine

MARK = Path("/tmp/jianyi-escape-mark")  # nosec B108 - the file an escape would create
OS = '["__import__"]("os").system("touch /tmp/jianyi-escape-mark")'

# (id, mode, source): each tries to reach the real builtins, a frame, code, a type or a module.
ESCAPES = [
    ("generator frame walk (the reported exploit)", "exec",
     "g = (x for x in [1])\nb = g.gi_frame.f_back.f_back.f_builtins\nb" + OS),
    ("generator frame in a condition", "eval",
     "[x for x in [1]] and (y for y in [1]).gi_frame.f_globals" + OS),
    ("generator code object", "exec", "c = (x for x in [1]).gi_code.co_consts"),
    ("generator frame globals", "exec", "f = (x for x in [1]).gi_frame.f_globals"),
    ("subclasses via class of a tuple", "exec", "s = ().__class__.__bases__[0].__subclasses__()"),
    ("class of a string", "eval", "''.__class__.__mro__[1].__subclasses__()"),
    ("lambda code object", "exec", "k = (lambda: 0).__code__"),
    ("lambda globals", "exec", "k = (lambda: 0).__globals__['__builtins__']"),
    ("function globals via def", "exec", "def f():\n    return 1\nk = f.__globals__"),
    ("closure cells", "exec", "k = (lambda a=1: (lambda: a))().__closure__"),
    ("default arguments", "exec", "k = (lambda a=1: a).__defaults__"),
    ("str.format attribute walk", "eval", "'{0.__class__.__mro__}'.format(1)"),
    ("str.format without dunders", "eval", "'{0.gi_frame}'.format((x for x in [1]))"),
    ("format_map", "eval", "'{x.gi_frame}'.format_map({'x': (y for y in [1])})"),
    ("f-string attribute walk", "eval", "f'{(x for x in [1]).gi_frame.f_builtins}'"),
    ("f-string dunder", "eval", "f'{deadline.__globals__}'"),
    ("traceback frame", "exec",
     "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    t = e.__traceback__.tb_frame"),
    ("exception with_traceback", "exec",
     "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    t = e.with_traceback(None)"),
    ("coroutine frame", "exec", "async def f():\n    pass\nc = f().cr_frame"),
    ("generator function", "exec", "def g():\n    yield 1\nf = g().gi_frame"),
    ("getattr by string", "eval", "getattr(deadline, 'gi_frame')"),
    ("type()", "eval", "type(1).__subclasses__()"),
    ("vars()", "eval", "vars()"),
    ("globals()", "eval", "globals()['__builtins__']"),
    ("locals()", "eval", "locals()"),
    ("dir()", "eval", "dir()"),
    ("__builtins__ by name", "eval", "__builtins__" + OS),
    ("__import__", "eval", "__import__('os')"),
    ("import statement", "exec", "import os"),
    ("from-import", "exec", "from os import system"),
    ("eval", "eval", "eval('1')"),
    ("exec", "exec", "exec('x = 1')"),
    ("compile", "eval", "compile('1', 'f', 'eval')"),
    ("open", "eval", "open('/etc/passwd').read()"),
    ("class statement", "exec", "class A:\n    pass"),
    ("type's mro", "eval", "str.mro()"),
    ("exception class subclasses", "eval", "ValueError.__subclasses__()"),
    ("exception class mro", "eval", "ValueError.mro()"),
    ("the raw function behind a domain function", "eval", "deadline.function"),
    ("the raw builtin behind sorted", "eval", "sorted.function"),
    ("bound method's owner", "eval", "[].append.__self__"),
    ("builtin's module", "eval", "isinstance.__self__"),
    ("dict.fromkeys on the type", "eval", "dict.fromkeys([1])"),
    ("breakpoint", "eval", "breakpoint()"),
    ("memoryview", "eval", "memoryview(b'x')"),
    ("attribute assignment", "exec", "deadline.function = 1"),
]
# Syntax outside the language that reaches nothing by itself: refused at deploy and compile.
LANGUAGE = [
    ("global statement", "exec", "def f():\n    global x\n    x = 1"),
    ("bare except swallowing guards", "exec", "try:\n    x = 1\nexcept:\n    pass"),
    ("starred unpacking", "eval", "[*range(3)]"),
    ("keyword unpacking", "eval", "dict(**{'a': 1})"),
    ("decorator", "exec", "@deadline\ndef f():\n    pass"),
    ("annotation", "exec", "x: deadline = 1"),
    ("walrus to a private name", "eval", "(_x := 1)"),
    ("match statement", "exec", "match 1:\n    case 1:\n        pass"),
]

# (id, source): ordinary syntax that would loop, allocate or compute without end.
EXHAUSTION = [
    ("infinite loop", "while True:\n    pass"),
    ("infinite loop swallowing errors", "while True:\n    try:\n        pass\n"
     "    except Exception:\n        pass"),
    ("loop inside try", "try:\n    while True:\n        pass\nexcept Exception:\n    pass"),
    ("nested ranges", "for i in range(1000000):\n    for j in range(1000000):\n        pass"),
    ("comprehension product", "n = sum(1 for i in range(1000000) for j in range(1000000))"),
    ("huge power", "x = 10 ** 10 ** 10"),
    ("huge shift", "x = 2 << 10 ** 9"),
    ("squaring without end", "x = 3\nwhile True:\n    x = x * x"),
    ("huge string repeat", "x = 'a' * 10 ** 10"),
    ("huge list repeat", "x = [0] * 10 ** 10"),
    ("doubling a string", "s = 'ab'\nwhile True:\n    s = s + s"),
    ("doubling a list in place", "x = [1]\nfor i in range(100):\n    x.extend(x)"),
    ("doubling with +=", "x = [1]\nfor i in range(100):\n    x += x"),
    ("appending without end", "x = []\nwhile True:\n    x.append(1)"),
    ("growing a dict", "d = {}\nwhile True:\n    d[len(d)] = 1"),
    ("list of a huge range", "x = list(range(10 ** 9))"),
    ("sum of a huge range", "x = sum(range(10 ** 12))"),
    ("wide format width", "x = f'{1:>1000000000}'"),
    ("huge float precision", "x = format(1.0, '.100000000f')"),
    ("join into a huge text", "x = 'x'.join(['y' * 100000] * 100000)"),
    ("replace into a huge text", "x = ('a' * 100000).replace('a', 'b' * 100)"),
    ("copies of a big list", "a = [1] * 1000000\nb = [a[:] for i in range(1000)]"),
    ("text of a nested list", "x = str([['x' * 100000] * 10] * 10)"),
    ("repr of a self-containing list", "a = []\na.append(a)\nx = repr(a)"),
    ("sorting in a loop", "for i in range(1000):\n    x = sorted(range(1000000))"),
    ("map of sorted", "x = max(map(sorted, [list(range(1000000))] * 1000))"),
    ("huge dividend", "x = divmod(10 ** 10 ** 5, 3)"),
    ("set unions in a loop", "a = set(range(1000000))\nb = [a | a for i in range(1000)]"),
    ("recursion", "def f(n):\n    return f(n + 1)\nx = f(0)"),
    ("lambda recursion", "f = lambda n: f(n + 1)\nx = f(0)"),
]
OUTSIDE_BUDGET = (guarded.LimitExceeded, RecursionError)


def _unchecked(source: str, mode: str):
    """Compile with the run-time guards but without the syntax check: what would run if a text
    slipped past both checks."""
    tree = ast.parse(source, mode="exec" if mode == "exec" else "eval")
    tree = ast.fix_missing_locations(syntax._Guard().visit(tree))
    return compile(tree, "<string>", "exec" if mode == "exec" else "eval")


@pytest.fixture
def environment():
    def deadline(kind, assignment_id):
        return "2026-06-01T00:00:00+00:00"
    return GuardedEnvironment({"deadline": deadline})


def test_the_corpus_is_large_enough():
    corpus = ESCAPES + LANGUAGE + EXHAUSTION
    assert len(ESCAPES) + len(EXHAUSTION) >= 40
    assert len({name for name, *_ in corpus}) == len(corpus)


@pytest.mark.parametrize("name, mode, source", ESCAPES + LANGUAGE,
                         ids=[e[0] for e in ESCAPES + LANGUAGE])
def test_escape_is_refused_at_deploy_and_when_compiled(name, mode, source):
    assert guarded.check(source, mode), name
    with pytest.raises(guarded.UnsafeScript):
        guarded.compile_guarded(source, mode)


@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited")
@pytest.mark.parametrize("name, mode, source", ESCAPES, ids=[e[0] for e in ESCAPES])
def test_escape_fails_even_past_both_checks(name, mode, source, environment):
    """The guards alone: attribute and item access on the allow-list of the object's type."""
    MARK.unlink(missing_ok=True)
    try:
        code = _unchecked(source, mode)
    except SyntaxError:
        return  # not even Python (e.g. a statement where an expression is expected)
    except guarded.UnsafeScript:
        return  # the rewriting itself refuses private names and attribute assignment
    names = {**environment.globals}
    with pytest.raises((AttributeError, TypeError, NameError, KeyError, SyntaxError,
                        ValueError, ImportError, guarded.LimitExceeded)):
        with guarded.step_budget():
            exec(code, names) if mode == "exec" else eval(code, names)  # nosec B102, B307
    assert not MARK.exists(), name


@pytest.mark.parametrize("name, source", EXHAUSTION, ids=[e[0] for e in EXHAUSTION])
def test_exhaustion_passes_deploy_and_is_stopped_at_run_time(name, source, environment):
    assert guarded.check(source, "exec") is None, name
    data: dict = {}
    with guarded.step_budget():
        with pytest.raises(OUTSIDE_BUDGET):
            environment.execute(source, data)


def test_data_cannot_stand_in_for_the_guards_or_the_builtins(environment):
    """Task data is looked up after the guards: a form field named like a guard changes
    nothing (data keys come from users)."""
    hostile = {"_jy_attr": "x", "__builtins__": {"open": 1}, "deadline": "d", "value": "abc"}
    assert environment.evaluate("value.upper()", dict(hostile)) == "ABC"
    assert environment.evaluate("deadline('reply', 1)", dict(hostile)).startswith("2026")


def test_allowed_language_still_computes(environment):
    """What the shipped processes and reasonable designers write keeps working."""
    data = {"branch": {"unit": "czt", "assignment_id": 3}, "items": [3, 1, 2],
            "due": "2026-06-01T00:00:00+00:00"}
    script = ("total = sum(i * 2 for i in items if i > 1)\n"
              "names = ', '.join(str(i) for i in sorted(items))\n"
              "label = f'{branch[\"unit\"].upper()}-{total:03d}'\n"
              "day = due[:10]\n"
              "counts = {}\n"
              "for i in items:\n"
              "    counts[i] = counts.get(i, 0) + 1\n"
              "counts[1] += 10\n"
              "ok = isinstance(items, list) and len(counts) == 3\n")
    environment.execute(script, data)
    assert (data["total"], data["names"], data["label"], data["day"], data["ok"]) == (
        10, "1, 2, 3", "CZT-010", "2026-06-01", True)
    assert data["counts"][1] == 11
    assert environment.evaluate('deadline("ack", branch["assignment_id"])', data)


def test_limits_are_per_step_and_shared_by_its_scripts(environment):
    """Two scripts of one step share its budget; the next step starts afresh."""
    half = "n = 0\nwhile n < 200000:\n    n += 1"  # two operations a pass
    with guarded.step_budget():
        environment.execute(half, {})
        environment.execute(half, {})
        with pytest.raises(guarded.LimitExceeded):
            environment.execute(half, {})
    with guarded.step_budget():
        environment.execute(half, {})


def test_cpu_time_is_bounded_where_operations_are_few(environment):
    """Each pass of this loop is one counted operation but a lot of work in C; the CPU
    budget stops it although the operation budget would allow it to run for hours."""
    limits = guarded.Limits(cpu_seconds=0.2)
    env = GuardedEnvironment({}, limits)
    with guarded.step_budget(limits):
        with pytest.raises(guarded.LimitExceeded, match="CPU"):
            env.execute("a = list(range(300000))\nc = list(a)\nwhile True:\n    b = a == c", {})


# ---------------------------------------------------------------- through the engine
PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="x">
  <bpmn:process id="scripted" name="Scripted" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_c" name="Commission">
      <bpmn:flowNodeRef>ask</bpmn:flowNodeRef><bpmn:flowNodeRef>after</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="ask" name="Ask">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="note.schema.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="later" attachedToRef="ask" cancelActivity="false">
      <bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:timerEventDefinition id="later_def">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">'PT1H'</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:scriptTask id="run" name="Run"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:script>SCRIPT</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="on_timer" name="On timer"><bpmn:incoming>f5</bpmn:incoming>
      <bpmn:outgoing>f6</bpmn:outgoing><bpmn:script>SCRIPT</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="after" name="After">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="note.schema.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_timer"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask" />
    <bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="run" />
    <bpmn:sequenceFlow id="f3" sourceRef="run" targetRef="after" />
    <bpmn:sequenceFlow id="f4" sourceRef="after" targetRef="end" />
    <bpmn:sequenceFlow id="f5" sourceRef="later" targetRef="on_timer" />
    <bpmn:sequenceFlow id="f6" sourceRef="on_timer" targetRef="end_timer" />
  </bpmn:process>
</bpmn:definitions>
"""


def _package(script: str) -> Package:
    from xml.sax.saxutils import escape  # nosec B406 - writing, not parsing
    return Package({"scripted.bpmn": PROCESS.replace("SCRIPT", escape(script)),
                    "note.schema.json": (PROCESSES / "note.schema.json").read_text()})


def commission_lane(session) -> None:
    """The domain's rule for the lane of `scripted` (lanes are data: deploy checks them)."""
    from workflows.lanes import set_rule
    from models import utcnow
    set_rule(session, process_id="scripted", lane="Commission", kind="role", role="commission",
             actor="designer", now=utcnow())


def _deploy_and_start(db, engine, script, monkeypatch=None):
    package = _package(script)
    if monkeypatch is not None:  # a check missed at deploy: the run-time guards must hold
        monkeypatch.setattr("engine.checks.unsafe_reason", lambda *_a, **_k: None)
    with db.write() as s:
        engine.deploy(s, package, "designer")
        case = engine.start(s, "scripted", {}, actor="commission").instance_id
    with db.session() as s:
        [task] = engine.ready_tasks(s, instance_id=case)
    return case, task.id


def _state(db, case):
    with db.session() as s:
        row = s.get(ProcessInstance, case)
        tasks = sorted((t.bpmn_id, t.state) for t in s.scalars(
            select(HumanTask).where(HumanTask.instance_id == case)))
        timers = sorted(t.due_at for t in s.scalars(select(Timer).where(
            Timer.instance_id == case)))
        events = s.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.instance_id == case))
        return row.version, row.state, tasks, timers, events


def test_reported_exploit_is_refused_at_deploy_naming_the_task(db, clock):
    engine = make_engine(clock)
    with pytest.raises(DeployError) as err:
        with db.write() as s:
            engine.deploy(s, _package(ESCAPES[0][2]), "designer")
    assert {(p.element_id, p.reason) for p in err.value.problems} == {
        ("run", "attribute 'gi_frame' is not allowed"),
        ("on_timer", "attribute 'gi_frame' is not allowed")}


@pytest.mark.parametrize("name, mode, source", ESCAPES[:2], ids=[e[0] for e in ESCAPES[:2]])
def test_escape_deployed_past_the_check_fails_its_step(db, clock, monkeypatch, name, mode,
                                                       source):
    MARK.unlink(missing_ok=True)
    engine = make_engine(clock)
    script = source if mode == "exec" else f"x = {source}"
    case, task = _deploy_and_start(db, engine, script, monkeypatch)
    before = _state(db, case)
    with pytest.raises(ProcessError):
        with db.write() as s:
            engine.complete(s, task, "commission", {})
    assert _state(db, case) == before
    assert not MARK.exists()


def test_exhausting_script_fails_its_step_and_writes_nothing(db, clock):
    """The step fails with a clear message, the case is as before, the write lock is free."""
    engine = make_engine(clock)
    case, task = _deploy_and_start(db, engine, "while True:\n    pass")
    before = _state(db, case)
    with pytest.raises(LimitError, match="script stopped: more than 1,000,000 operations"):
        with db.write() as s:
            engine.complete(s, task, "commission", {"note": "x"})
    assert _state(db, case) == before
    done = threading.Event()

    def write_elsewhere():  # another writer is not kept waiting by the failed step
        with db.write() as s:
            s.add(AuditEvent(at=clock(), actor="t", action="probe", detail={}))
        done.set()
    threading.Thread(target=write_elsewhere, daemon=True).start()
    assert done.wait(30)


def test_exhausting_script_in_a_timer_path_leaves_the_case_and_retries_later(db, clock):
    """The scheduler fires the timer; its script runs out of budget; the case is untouched and
    the timer is tried again later (audited as a timer error)."""
    engine = make_engine(clock)
    case, _task = _deploy_and_start(db, engine, "x = 10 ** 10 ** 10")
    version, state, tasks, _timers, _events = _state(db, case)
    now = clock() + timedelta(hours=2)
    with db.write() as s:
        assert engine.fire_due_timers(s, now) == 1
    after = _state(db, case)
    assert after[:3] == (version, state, tasks)
    retry = (now + timedelta(minutes=5)).replace(tzinfo=None)
    assert [t.replace(tzinfo=None) for t in after[3]] == [retry]
    with db.session() as s:
        assert s.scalar(select(AuditEvent.action).where(
            AuditEvent.instance_id == case).order_by(AuditEvent.id.desc()).limit(1)) \
            == "timer_error"


def test_budget_is_per_thread(db, clock):
    """A looping step in one thread does not spend another thread's budget (the dev server's
    threads, the scheduler thread)."""
    env = GuardedEnvironment({})
    results: dict[str, object] = {}

    def run(name, script):
        try:
            with guarded.step_budget():
                data: dict = {}
                env.execute(script, data)
                results[name] = data.get("n")
        except guarded.LimitExceeded as err:
            results[name] = err
    threads = [threading.Thread(target=run, args=("loop", "while True:\n    pass")),
               threading.Thread(target=run, args=("fine", "n = 0\nwhile n < 400000:\n"
                                                          "    n += 1"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert isinstance(results["loop"], guarded.LimitExceeded)
    assert results["fine"] == 400000


def _frame_and_traceback():
    try:
        raise ValueError("x")
    except ValueError as err:
        return err.__traceback__.tb_frame, err.__traceback__


@pytest.mark.parametrize("value", [
    (x for x in [1]), (lambda: 0), _frame_and_traceback()[0], _frame_and_traceback()[1],
    (lambda: 0).__code__, str, type, ValueError, ValueError("x"), guarded.SAFE_BUILTINS["sorted"],
    guarded, {}.items(), object(),
], ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("name", ["gi_frame", "gi_code", "f_back", "f_builtins", "f_globals",
                                  "tb_frame", "co_code", "mro", "with_traceback", "function",
                                  "format", "__class__", "__globals__", "mapping"])
def test_attribute_guard_refuses_whatever_the_object(value, name):
    """The run-time guard on its own: only the allow-list of the object's own type."""
    with pytest.raises(AttributeError):
        guards._jy_attr(value, name)


@pytest.mark.parametrize("value", [(x for x in [1]), guarded.SAFE_BUILTINS["sorted"],
                                   _frame_and_traceback()[0], guarded])
def test_item_guard_indexes_only_plain_containers(value):
    with pytest.raises(TypeError):
        guards._jy_item(value, 0)


def test_guarded_builtins_cannot_be_changed():
    with pytest.raises(AttributeError):
        guarded.SAFE_BUILTINS["sorted"].function = len
    assert guarded.SAFE_BUILTINS["sorted"]([2, 1]) == [1, 2]


def test_a_step_stopped_by_its_budget_tells_the_user_and_keeps_what_was_typed(
        db, domain_engine, org, login_as):
    """Through the web app (the dev server runs requests in threads): the handler is told the
    case was not changed, and the form keeps the text."""
    with db.write() as s:
        commission_lane(s)
        domain_engine.deploy(s, _package("n = 0\nwhile True:\n    n += 1"), "designer")
        case = domain_engine.start(s, "scripted", {}, actor="commission").instance_id
    with db.session() as s:
        [task] = domain_engine.ready_tasks(s, instance_id=case)
    before = _state(db, case)
    commission = login_as("commission")
    commission.get(f"/tasks/{task.id}")
    response = commission.post(f"/tasks/{task.id}", {"note": "手写的备注"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "提交失败，案件未作改动：流程脚本超出了一步允许的运行限额" in html and "手写的备注" in html
    assert "script stopped" not in html  # the details go to the log, for the designer
    assert _state(db, case) == before


def test_budget_holds_in_gunicorn_workers(db, domain_engine, org):
    """`jianyi serve --workers 2`: a looping step fails with 409 and changes nothing while a
    completion beside it in the other worker goes through."""
    from ..support.server import Client as HttpClient, production
    script = "n = 0\nwhile note == 'loop':\n    n += 1"
    with db.write() as s:
        commission_lane(s)
        domain_engine.deploy(s, _package(script), "designer")
        cases = [domain_engine.start(s, "scripted", {}, actor="commission").instance_id
                 for _ in range(2)]
    with db.session() as s:
        tasks = [domain_engine.ready_tasks(s, instance_id=c)[0].id for c in cases]
    before = _state(db, cases[0])
    statuses: dict[str, int] = {}
    with production(db.url.render_as_string(hide_password=False), workers=2) as server:
        def complete(name, task, note):
            client = HttpClient(server.port)
            client.login("commission", "pw")
            statuses[name], _ = client.request("POST", f"/tasks/{task}", {"note": note})
        threads = [threading.Thread(target=complete, args=("loop", tasks[0], "loop")),
                   threading.Thread(target=complete, args=("fine", tasks[1], "ok"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert statuses == {"loop": 409, "fine": 302}
    assert _state(db, cases[0]) == before
    with db.session() as s:
        assert [t.bpmn_id for t in domain_engine.ready_tasks(s, instance_id=cases[1])] == ["after"]
