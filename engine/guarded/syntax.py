"""Checking a text against the language (deploy) and rewriting it with its guards (run)."""
from __future__ import annotations

import ast
import re

from .language import (ALLOWED_ATTRIBUTES, MAX_DEPTH, MAX_SOURCE, CONSTANTS, NODE_WORDS, NODES,
                       UNAVAILABLE)


class UnsafeScript(ValueError):
    """A script or expression outside the guarded language (the message is the reason)."""


def check(source: str | None, mode: str = "eval") -> str | None:
    """Why `source` is outside the guarded language (None if it is inside).

    mode: 'eval' (an expression), 'exec' (a script) or 'dmn' (a DMN entry: an expression, or a
    unary test such as `> 5` that SpiffWorkflow completes with the input on the left).
    """
    try:
        _tree(source, mode)
    except UnsafeScript as err:
        return str(err)
    return None


def _tree(source: str | None, mode: str) -> ast.AST | None:
    if source is None or not source.strip():
        return None
    if len(source) > MAX_SOURCE:
        raise UnsafeScript(f"longer than {MAX_SOURCE} characters")
    text = source.strip() if mode in ("eval", "dmn") else source
    if mode == "dmn":  # SpiffWorkflow reads '?' outside quotes as the input's value
        text = _DMN_INPUT.sub("dmninputexpr", text)
    try:
        tree = ast.parse(text, mode="exec" if mode == "exec" else "eval")
    except SyntaxError as err:
        if mode != "dmn":
            raise UnsafeScript(f"syntax error: {err.msg} (line {err.lineno})") from None
        try:  # a unary test such as "> 5": SpiffWorkflow puts the input on its left
            tree = ast.parse(f"dmninputexpr {text}", mode="eval")
        except SyntaxError:
            raise UnsafeScript(f"syntax error: {err.msg}") from None
    except (ValueError, RecursionError, MemoryError) as err:  # NUL bytes, absurd nesting
        raise UnsafeScript(f"cannot read: {type(err).__name__}") from None
    _check_tree(tree)
    return tree


_DMN_INPUT = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')


def _check_tree(tree: ast.AST) -> None:
    """Raise the first problem in reading order (an attribute is read where its name ends)."""
    problems, stack = [], [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise UnsafeScript(f"nested more than {MAX_DEPTH} levels deep")
        try:
            _check_node(node)
        except UnsafeScript as err:
            at = ((node.end_lineno, node.end_col_offset) if isinstance(node, ast.Attribute)
                  else (getattr(node, "lineno", 0), getattr(node, "col_offset", 0)))
            problems.append((at, str(err)))
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    if problems:
        raise UnsafeScript(min(problems)[1])


def _check_node(node: ast.AST) -> None:
    kind = type(node)
    if kind not in NODES:
        word = NODE_WORDS.get(kind)
        raise UnsafeScript(f"'{word}' is not allowed" if word else
                           f"{kind.__name__} is not allowed in scripts")
    if isinstance(node, ast.Name):
        _check_name(node.id)
    elif isinstance(node, ast.Attribute):
        if node.attr.startswith("_"):
            raise UnsafeScript(f"name '{node.attr}' is not allowed "
                               "(names beginning with '_' are private)")
        if not isinstance(node.ctx, ast.Load):
            raise UnsafeScript(f"assigning or deleting attribute '{node.attr}' is not allowed")
        if node.attr not in ALLOWED_ATTRIBUTES:
            raise UnsafeScript(f"attribute '{node.attr}' is not allowed")
    elif isinstance(node, ast.Subscript):
        sliced = isinstance(node.slice, ast.Slice) or (
            isinstance(node.slice, ast.Tuple) and any(isinstance(e, ast.Slice)
                                                      for e in node.slice.elts))
        if sliced and not isinstance(node.ctx, ast.Load):
            raise UnsafeScript("assigning or deleting a slice is not allowed")
        if isinstance(node.slice, ast.Tuple) and sliced:
            raise UnsafeScript("a slice inside a tuple is not allowed")
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, CONSTANTS):
            raise UnsafeScript(f"constant of type {type(node.value).__name__} is not allowed")
    elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
        if isinstance(node, ast.FunctionDef):
            _check_name(node.name)
            if node.decorator_list or node.returns is not None:
                raise UnsafeScript("decorators and annotations are not allowed")
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                _check_name(arg.arg)
                if arg.annotation is not None:
                    raise UnsafeScript("annotations are not allowed")
    elif isinstance(node, ast.ExceptHandler):
        if node.type is None:
            raise UnsafeScript("a bare 'except:' is not allowed; name the exception")
        if node.name:
            _check_name(node.name)
    elif isinstance(node, ast.keyword) and node.arg is None:
        raise UnsafeScript("'**' unpacking is not allowed")
    elif isinstance(node, ast.Dict) and any(key is None for key in node.keys):
        raise UnsafeScript("'**' unpacking is not allowed")
    elif isinstance(node, ast.comprehension) and node.is_async:
        raise UnsafeScript("'async' is not allowed")


def _check_name(name: str) -> None:
    if name.startswith("_"):
        raise UnsafeScript(f"name '{name}' is not allowed (names beginning with '_' are private)")
    if name in UNAVAILABLE:
        raise UnsafeScript(f"'{name}' is not allowed")


# ---------------------------------------------------------------- rewriting
def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
        ast.Mod: "%", ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|",
        ast.BitXor: "^", ast.BitAnd: "&"}


class _Guard(ast.NodeTransformer):
    """Rewrites a checked tree so that every attribute read, item read, binary operation and
    formatted value goes through a guard, and every loop pass and function call is counted."""

    def visit_Name(self, node):
        if node.id.startswith("_"):  # the guards' own names, dunders: never, whatever `check` said
            raise UnsafeScript(f"name '{node.id}' is not allowed")
        return node

    def visit_Attribute(self, node):
        self.generic_visit(node)
        if node.attr.startswith("_") or not isinstance(node.ctx, ast.Load):
            raise UnsafeScript(f"attribute '{node.attr}' is not allowed")
        return _call("_jy_attr", node.value, ast.Constant(node.attr))

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if not isinstance(node.ctx, ast.Load):
            return node  # item assignment and del on containers; slices were refused
        key = node.slice
        if isinstance(key, ast.Slice):
            none = ast.Constant(None)
            key = _call("_jy_slice", key.lower or none, key.upper or none, key.step or none)
        return _call("_jy_item", node.value, key)

    def visit_BinOp(self, node):
        self.generic_visit(node)
        return _call("_jy_binop", ast.Constant(_OPS[type(node.op)]), node.left, node.right)

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        op = ast.Constant(_OPS[type(node.op)] + "=")
        target = node.target
        if isinstance(target, ast.Name):
            current = ast.Name(id=target.id, ctx=ast.Load())
            return ast.Assign(targets=[target], value=_call("_jy_binop", op, current, node.value))
        # obj[key] op= value: evaluate obj and key once
        return ast.Expr(_call("_jy_setitem_op", target.value, target.slice, op, node.value))

    def visit_FormattedValue(self, node):
        self.generic_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant(None)
        return ast.FormattedValue(value=_call("_jy_format", node.value,
                                              ast.Constant(node.conversion), spec),
                                  conversion=-1, format_spec=None)

    def _counted(self, body: list[ast.stmt]) -> list[ast.stmt]:
        return [ast.Expr(_call("_jy_tick")), *body]

    def visit_For(self, node):
        self.generic_visit(node)
        node.body = self._counted(node.body)
        return node

    def visit_While(self, node):
        self.generic_visit(node)
        node.body = self._counted(node.body)
        return node

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        node.body = self._counted(node.body)
        return node

    def visit_Lambda(self, node):
        self.generic_visit(node)
        node.body = ast.BoolOp(op=ast.And(), values=[_call("_jy_tick"), node.body])
        return node

    def visit_comprehension(self, node):
        self.generic_visit(node)
        node.ifs = [_call("_jy_tick"), *node.ifs]
        return node


def compile_guarded(source: str, mode: str):
    """Check `source` and compile it with its guards ('eval' or 'exec'); UnsafeScript if it is
    outside the language. The code runs only with `guard_globals()` in its globals."""
    tree = _tree(source, mode)
    if tree is None:
        raise UnsafeScript("empty script or expression")
    tree = ast.fix_missing_locations(_Guard().visit(tree))
    try:
        return compile(tree, "<string>", "exec" if mode == "exec" else "eval")
    except (RecursionError, MemoryError, ValueError) as err:
        raise UnsafeScript(f"cannot compile: {type(err).__name__}") from None
