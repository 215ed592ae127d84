"""Instructions for the person doing a task (`spiffworkflow:instructionsForEndUser`).

A designer writes Markdown with the task's data interpolated the way SpiffArena does it: the text
is a Jinja2 template over the task data (`{{ applicant }}`, `{% for item in items %}`), rendered,
then read as Markdown. SpiffWorkflow 3.2 keeps the text in `task_spec.extensions`.

Why Jinja2's `ImmutableSandboxedEnvironment` and not the guarded script language
(`engine/guarded`): instructions are text with holes, not code. Designers write them in
SpiffArena's syntax, which is Jinja2's; the guarded language has no template syntax and would make
every instruction a Python string expression. The sandbox already refuses private and internal
attributes (`__class__`, `mro`, frames, `str.format` tricks) and changing the data; what it
lacks is bounded here:

- **Work.** Every loop pass, call, attribute and item read spends from a budget
  (`guarded.budget.Budget`: 100,000 operations and 0.5 s of CPU per rendering). Loop passes are
  counted by a code generator that wraps each `for` loop's iterable.
- **Size.** `range` yields at most 10,000 numbers; `~` (concatenation), `+`, `*`, `**` check the
  size of what they would build before building it (at most 100,000 elements or characters);
  `%` on text is refused; the output stops at 100,000 characters.
- **Reach.** Only an allow-list of filters (no `replace`, `center`, `indent`, `format`, ...), of
  globals (`range`) and of methods (`str.lower`, `dict.get`, ...) can be called; includes,
  imports, template inheritance and recursive loops are refused at deploy.
- **Undefined names** render empty, also `a.b.c` of an undefined `a` (ChainableUndefined).

The result is then read as Markdown with raw HTML disabled (markdown-it-py, `html=False`: a
`<script>` in the text or in the data is shown as text), and the HTML is sanitised by an
allow-list (nh3): basic formatting tags only, no attributes but a link's `href`/`title`, links
only to http, https or relative addresses, each with `rel="noopener noreferrer"`.

`check` runs at deploy (called from `package.compile_package`): a template that does not parse,
or uses what is refused here, is reported with file, element id and reason.
"""
from __future__ import annotations

import operator
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Iterable

import nh3
from jinja2 import ChainableUndefined, TemplateError, nodes
from jinja2.compiler import CodeGenerator
from jinja2.runtime import Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markdown_it import MarkdownIt

from .errors import Problem
from .guarded.budget import Budget, LimitExceeded, Limits

SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
KEY = "instructionsForEndUser"
MAX_TEMPLATE = 20_000   # characters of one instruction text
MAX_OUTPUT = 100_000    # characters rendered
MAX_VALUE = 100_000     # elements or characters one operation may build
MAX_RANGE = 10_000      # numbers one range() may yield
LIMITS = Limits(operations=100_000, cpu_seconds=0.5)

FILTERS = ("abs", "capitalize", "count", "d", "default", "dictsort", "first", "float", "int",
           "items", "join", "last", "length", "list", "lower", "map", "max", "min", "reject",
           "rejectattr", "round", "select", "selectattr", "sort", "string", "sum", "title",
           "trim", "truncate", "unique", "upper")
METHODS = {str: frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "title", "capitalize",
                           "startswith", "endswith", "split", "isdigit"}),
           dict: frozenset({"get", "keys", "values", "items"})}
REFUSED_NODES = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)

TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code",
        "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


class InstructionsError(Exception):
    """The instructions could not be rendered (refused construct, limit reached, error)."""


_BUDGET: ContextVar[Budget | None] = ContextVar("jianyi_instructions_budget", default=None)


def _spend(operations: int = 1) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.spend(operations)


def _size(value: Any) -> int:
    try:
        return len(value)
    except TypeError:
        return 1


def _fits(length: int) -> None:
    if length > MAX_VALUE:
        raise SecurityError(f"a value of {length:,} elements is larger than {MAX_VALUE:,}")


def _budgeted(iterable):
    """Every pass of a template loop spends one operation."""
    for item in iterable:
        _spend()
        yield item


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(f"range() of more than {MAX_RANGE:,} numbers")
    return numbers


class _Generator(CodeGenerator):
    """Jinja's code generator, with each `~` size-checked."""

    def visit_Concat(self, node, frame):
        self.write("environment.concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Environment(ImmutableSandboxedEnvironment):
    code_generator_class = _Generator
    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})

    def __init__(self):
        super().__init__(autoescape=False, undefined=ChainableUndefined, auto_reload=False,
                         cache_size=0)
        builtin = self.filters
        self.filters = {name: builtin[name] for name in FILTERS}
        self.filters["join"] = _Environment._join_filter
        self.filters["_budgeted"] = _budgeted
        self.globals = {"range": _range}

    @staticmethod
    def _join_filter(value, separator: str = "", attribute=None):
        items = [i.get(attribute, "") if attribute and isinstance(i, dict) else i for i in value]
        _fits(sum(len(str(i)) for i in items) + len(str(separator)) * len(items))
        return str(separator).join(str(i) for i in items)

    def _parse(self, source, name, filename):
        """The template's tree, each loop's iterable wrapped so that every pass is counted."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, "_budgeted", [], [], None, None,
                                     lineno=loop.lineno)
        return tree

    def concat(self, parts: tuple) -> str:
        texts = [str(p) for p in parts]
        _fits(sum(len(t) for t in texts))
        return "".join(texts)

    def call_binop(self, context, op: str, left, right):
        _spend()
        if op == "*":
            if isinstance(left, int) and isinstance(right, int):
                _fits((left.bit_length() + right.bit_length()) // 16)
            else:
                _fits(_size(left) * right if isinstance(right, int) else
                      _size(right) * left if isinstance(left, int) else 1)
        elif op == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
                _fits(left.bit_length() * max(right, 0) // 16)
        elif op == "+":
            if hasattr(left, "__len__") and hasattr(right, "__len__"):
                _fits(_size(left) + _size(right))
        elif op == "%" and isinstance(left, str):
            raise SecurityError("% formatting of text is not allowed in instructions")
        return {"*": operator.mul, "**": operator.pow, "+": operator.add, "%": operator.mod,
                "//": operator.floordiv}[op](left, right)

    def getattr(self, obj, attribute):
        _spend()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        _spend()
        return super().getitem(obj, argument)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        _spend()
        if not (isinstance(__obj, Macro) or __obj is _range or _allowed_method(__obj)):
            raise SecurityError(f"{getattr(__obj, '__name__', type(__obj).__name__)}() cannot "
                                "be called in instructions")
        return super().call(__context, __obj, *args, **kwargs)


def _allowed_method(obj) -> bool:
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    return any(type(owner) is kind and name in names for kind, names in METHODS.items())


ENVIRONMENT = _Environment()
MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}
                      ).enable(["table", "strikethrough"])


def problems_in(text: str) -> list[str]:
    """Why `text` cannot be an instruction template (empty list: it can)."""
    if len(text) > MAX_TEMPLATE:
        return [f"instructions longer than {MAX_TEMPLATE:,} characters"]
    try:
        tree = ENVIRONMENT.parse(text)
    except TemplateError as err:
        line = getattr(err, "lineno", None)
        return [f"instructions do not parse: {err.message or err}"
                + (f" (line {line})" if line else "")]
    found = []
    for node in tree.find_all(REFUSED_NODES):
        found.append(f"instructions cannot use {type(node).__name__.lower()} (line {node.lineno})")
    for node in tree.find_all(nodes.For):
        if node.recursive:
            found.append(f"instructions cannot use recursive loops (line {node.lineno})")
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        key = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if isinstance(key, str) and key.startswith("_"):
            found.append(f"instructions cannot read '{key}' (line {node.lineno})")
    if found:
        return found
    try:
        _compiled(text)
    except TemplateError as err:  # an unknown filter or test
        return [f"instructions refused: {err.message or err}"]
    return []


@lru_cache(maxsize=256)
def _compiled(text: str):
    return ENVIRONMENT.from_string(text)


def render_text(text: str, data: dict[str, Any]) -> str:
    """The template filled with `data` (Markdown text). InstructionsError if it cannot be."""
    refused = problems_in(text)
    if refused:
        raise InstructionsError("; ".join(refused))
    budget = Budget(LIMITS)
    token = _BUDGET.set(budget)
    budget.enter()
    out: list[str] = []
    length = 0
    try:
        for piece in _compiled(text).generate(dict(data)):
            length += len(piece)
            if length > MAX_OUTPUT:
                raise InstructionsError(f"instructions longer than {MAX_OUTPUT:,} characters "
                                        "once filled in")
            out.append(piece)
            budget.spend()
    except LimitExceeded as err:
        raise InstructionsError(str(err).replace("script stopped", "instructions stopped")) \
            from None
    except InstructionsError:
        raise
    except Exception as err:  # SecurityError, TypeError of the data, RecursionError, ...
        raise InstructionsError(f"instructions could not be filled in: {err}") from None
    finally:
        budget.leave()
        _BUDGET.reset(token)
    return "".join(out)


def _safe_link(tag: str, attribute: str, value: str) -> str | None:
    """Links stay on this site or go to http(s): a scheme-relative `//host` or a backslash
    (which browsers read as a slash) is dropped."""
    if attribute == "href" and (value.startswith("//") or "\\" in value):
        return None
    return value


def to_html(markdown: str) -> str:
    """Markdown (raw HTML shown as text) to sanitised HTML."""
    return nh3.clean(MARKDOWN.render(markdown), tags=TAGS, attributes=ATTRIBUTES,
                     url_schemes={"http", "https"}, link_rel="noopener noreferrer",
                     attribute_filter=_safe_link, clean_content_tags={"script", "style"})


def render(text: str, data: dict[str, Any]) -> str:
    """Instructions as safe HTML: the template filled with the task's data, read as Markdown,
    sanitised. InstructionsError if the template cannot be filled in."""
    return to_html(render_text(text, data))


def of_spec(task_spec) -> str | None:
    """The instruction text of a task spec, if it has one."""
    text = (getattr(task_spec, "extensions", None) or {}).get(KEY)
    return text if text and text.strip() else None


def _owner(element) -> str:
    node = element.getparent()
    while node is not None and (not node.get("id") or str(node.tag).startswith(f"{{{SPIFF}}}")):
        node = node.getparent()
    return node.get("id", "") if node is not None else ""


def check(name: str, root) -> Iterable[Problem]:
    """Deploy rule: every instruction text of a BPMN file is a template `render` accepts."""
    if not name.endswith(".bpmn"):
        return []
    return [Problem(name, _owner(element), reason)
            for element in root.iter(f"{{{SPIFF}}}{KEY}")
            for reason in problems_in(element.text or "")]
