"""What the guarded language allows: syntax nodes, names and attributes (allow-lists, as data)."""
from __future__ import annotations

import ast
from datetime import date, datetime, time as daytime, timedelta

MAX_SOURCE = 50_000  # characters of one script or expression
MAX_DEPTH = 100      # nesting of the syntax tree

NODES = frozenset({
    # modules and statements
    ast.Module, ast.Expression, ast.Assign, ast.AugAssign, ast.Expr, ast.If, ast.For, ast.While,
    ast.Break, ast.Continue, ast.Pass, ast.Return, ast.FunctionDef, ast.Raise, ast.Try,
    ast.ExceptHandler, ast.Delete, ast.Assert,
    # expressions
    ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Lambda, ast.IfExp, ast.Dict, ast.Set, ast.List,
    ast.Tuple, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Compare, ast.Call,
    ast.FormattedValue, ast.JoinedStr, ast.Constant, ast.Attribute, ast.Subscript, ast.Slice,
    ast.Name, ast.NamedExpr, ast.comprehension, ast.arguments, ast.arg, ast.keyword,
    # operators and contexts
    ast.And, ast.Or, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
    ast.LShift, ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd, ast.Invert, ast.Not, ast.UAdd,
    ast.USub, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In,
    ast.NotIn, ast.Load, ast.Store, ast.Del,
})
NODE_WORDS = {
    ast.Import: "import", ast.ImportFrom: "import", ast.Global: "global",
    ast.Nonlocal: "nonlocal", ast.ClassDef: "class", ast.AsyncFunctionDef: "async",
    ast.AsyncFor: "async", ast.AsyncWith: "async", ast.Await: "await", ast.With: "with",
    ast.Yield: "yield", ast.YieldFrom: "yield", ast.Starred: "* unpacking",
    ast.MatMult: "@", ast.Match: "match",
}
CONSTANTS = (str, bytes, int, float, complex, bool, type(None), type(...))

# Builtins that are not there, named so that deploy can say so instead of a NameError later.
UNAVAILABLE = frozenset({
    "eval", "exec", "compile", "open", "input", "breakpoint", "getattr", "setattr", "delattr",
    "hasattr", "globals", "locals", "vars", "dir", "type", "object", "super", "memoryview",
    "help", "exit", "quit", "print", "iter", "next", "id", "classmethod", "staticmethod",
    "property", "callable", "issubclass", "bytearray", "slice", "pow", "chr", "ord", "hash",
    "BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit",
})

# ---------------------------------------------------------------- attribute allow-list
_STR_ATTRS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha",
    "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "join",
    "lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex",
    "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase",
    "title", "upper",
})
_DATE_ATTRS = frozenset({"year", "month", "day", "weekday", "isoweekday", "isoformat",
                         "strftime", "replace", "toordinal"})
_TIME_ATTRS = frozenset({"hour", "minute", "second", "microsecond", "isoformat", "strftime",
                         "replace"})
ATTRIBUTES: dict[type, frozenset[str]] = {
    str: _STR_ATTRS,
    bytes: frozenset({"decode", "hex", "startswith", "endswith"}),
    list: frozenset({"append", "clear", "copy", "count", "extend", "index", "insert", "pop",
                     "remove", "reverse", "sort"}),
    tuple: frozenset({"count", "index"}),
    dict: frozenset({"clear", "copy", "get", "items", "keys", "pop", "popitem", "setdefault",
                     "update", "values"}),
    set: frozenset({"add", "clear", "copy", "difference", "discard", "intersection",
                    "isdisjoint", "issubset", "issuperset", "pop", "remove",
                    "symmetric_difference", "union", "update"}),
    frozenset: frozenset({"copy", "difference", "intersection", "isdisjoint", "issubset",
                          "issuperset", "symmetric_difference", "union"}),
    int: frozenset({"bit_length"}),
    float: frozenset({"is_integer"}),
    datetime: _DATE_ATTRS | _TIME_ATTRS | {"date", "time", "timestamp"},
    date: _DATE_ATTRS,
    daytime: _TIME_ATTRS,
    timedelta: frozenset({"days", "seconds", "microseconds", "total_seconds"}),
}
ALLOWED_ATTRIBUTES = frozenset().union(*ATTRIBUTES.values())
# Methods whose result is a new value as large as what they read (counted as allocation).
BUILDS = (_STR_ATTRS - {"count", "endswith", "find", "index", "rfind", "rindex", "startswith",
                         "isalnum", "isalpha", "isdecimal", "isdigit", "islower", "isnumeric",
                         "isspace", "istitle", "isupper"}) | {
    "copy", "difference", "intersection", "symmetric_difference", "union", "hex", "decode",
    "isoformat", "strftime"}
