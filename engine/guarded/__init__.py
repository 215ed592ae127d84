"""The guarded language of BPMN scripts and expressions (受控脚本语言).

Everything the engine evaluates from a BPMN or DMN file — scripts, pre/post scripts, gateway
conditions, timer expressions, `dueAt`/`subject`, multi-instance expressions, service-task
parameters, DMN entries — is Python syntax, but only an allow-listed part of it, and it runs
guarded:

* **Syntax** (`check`): only the node types in `language.NODES`; no imports, classes, `global`, `async`,
  `yield`, `with`, decorators, annotations, `*`/`**` unpacking, bare `except`, attribute
  assignment or slice assignment; no name beginning with `_`; attributes only from `language.ATTRIBUTES`.
  Deploy refuses anything else with the reason; the same check runs again when the text is
  compiled for running, so a text that never passed deploy cannot run either.
* **Attribute and item access** (`_jy_attr`, `_jy_item`): rewritten into calls that look the
  attribute up on the allow-list of the object's own type (str, list, dict, datetime, …) and
  index only plain containers. Frames, code objects, generators, tracebacks, types and functions
  have no allowed attributes, and `str.format` is not on the list, so there is nothing to
  introspect with.
* **Builtins and domain functions**: a short list, each wrapped so that calling it is counted.
* **Budget** (`Budget`): a step's scripts share a budget of operations, CPU seconds and allocated
  elements. Loops, comprehensions and function bodies count each pass; every guarded call counts
  the size of what it reads and returns; operators that could build huge values (`*`, `**`,
  `<<`, `+`, `str.join`, `str.replace`, format widths, `range`) check the size first. Exceeding
  the budget raises `LimitExceeded`, a BaseException, so `except Exception` in a script cannot
  swallow it; the engine turns it into a failed step with nothing written.

The rewriting uses names beginning with `_jy_`, which scripts cannot write.

Modules: `language` (the allow-lists), `syntax` (check and rewrite), `budget`, `guards`
(what the rewritten code calls, and the wrapped builtins).
"""
from .budget import DEFAULT_LIMITS, Budget, LimitExceeded, Limits, current_budget, step_budget
from .guards import SAFE_BUILTINS, Guarded, guard_globals
from .language import ALLOWED_ATTRIBUTES
from .syntax import UnsafeScript, check, compile_guarded

__all__ = ["ALLOWED_ATTRIBUTES", "Budget", "DEFAULT_LIMITS", "Guarded", "LimitExceeded",
           "Limits", "SAFE_BUILTINS", "UnsafeScript", "check", "compile_guarded",
           "current_budget", "guard_globals", "step_budget"]
