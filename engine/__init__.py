"""A small, domain-free runtime over SpiffWorkflow (流程引擎). Imports only `models`."""
from .clock import ManualClock, system_clock
from .errors import (ConflictError, DeployError, EngineError, FormError, LimitError,
                     NotFoundError, Problem, ProcessError)
from .package import Compiled, Package, compile_package
from .projection import Candidates, TaskContext
from .runtime import Engine
from .scripts import OperatorCall

__all__ = [
    "Candidates", "Compiled", "ConflictError", "DeployError", "Engine", "EngineError",
    "FormError", "LimitError", "ManualClock", "NotFoundError", "OperatorCall", "Package", "Problem",
    "ProcessError", "TaskContext", "compile_package", "system_clock",
]
