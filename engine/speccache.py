"""The cache of compiled packages: a version's BPMN is parsed once per process, not once a step."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Iterable

from .package import Compiled, Package, compile_package


class SpecCache:
    """Compiled packages by content hash, least recently used dropped first (thread-safe).

    Shared by every engine of the process: a package compiles to the same specs whichever engine
    asks, as long as the operators it was checked against are the same.
    """

    _items: OrderedDict[tuple, Compiled] = OrderedDict()
    _lock = threading.Lock()

    def __init__(self, operators: Iterable[str] | None = None, size: int = 32,
                 choices: Iterable[str] | None = None):
        self.operators = None if operators is None else frozenset(operators)
        self.choices = None if choices is None else frozenset(choices)
        self.size = size

    def get(self, package: Package) -> Compiled:
        key = (package.content_hash, self.operators, self.choices)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        compiled = compile_package(package, self.operators, self.choices)
        with self._lock:
            self._items[key] = compiled
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return compiled
