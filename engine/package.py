"""BPMN packages: a folder of .bpmn/.dmn files and JSON Schema forms, validated and compiled.

A package is identified by the SHA-256 of its files; compiled specs are cached under that hash
(`speccache.SpecCache`) so each version is parsed once per process. The deploy rules themselves
are in `checks`.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Mapping

from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker
from jsonschema.validators import extend
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import checks, instructions, safexml, uischema, xmlpolicy
from .errors import DeployError, Problem

DMN_PREFIX = "https://www.omg.org/spec/DMN/"
SUFFIXES = (".bpmn", ".dmn", ".json")


@dataclass(frozen=True)
class Package:
    """The files of one deployable process set: name -> text."""

    files: Mapping[str, str]

    @classmethod
    def from_folder(cls, folder: str | Path) -> "Package":
        """Read every .bpmn, .dmn and .json file below `folder` (names relative to it)."""
        root = Path(folder)
        if not root.is_dir():
            raise DeployError([Problem(str(root), "", "not a folder")])
        files = {}
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES:
                files[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
        return cls(files)

    @cached_property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + self.files[name].encode() + b"\0")
        return digest.hexdigest()


@dataclass
class Compiled:
    """A validated package: parsed specs per executable process, forms, display names."""

    package: Package
    specs: dict[str, tuple[Any, dict[str, Any]]]
    names: dict[str, str]
    forms: dict[str, dict] = field(default_factory=dict)
    ui_forms: dict[str, dict] = field(default_factory=dict)  # uiSchemas by file name
    ui_of: dict[tuple[str, str], str] = field(default_factory=dict)  # (task id, form) -> uiSchema
    _validators: dict[str, Draft202012Validator] = field(default_factory=dict, repr=False,
                                                         compare=False)

    def spec(self, process_id: str):
        return self.specs[process_id]

    def validator(self, form: str) -> Draft202012Validator | None:
        """The JSON Schema validator of a form (built once: forms of a version never change)."""
        found = self._validators.get(form)
        if found is None and form in self.forms:
            found = self._validators[form] = FormValidator(
                self.forms[form], format_checker=FORMAT_CHECKER)
        return found

    def ui_form(self, bpmn_id: str, form: str | None) -> dict | None:
        """The uiSchema a user task names (formUiSchemaFilename), or None."""
        name = self.ui_of.get((bpmn_id, form or ""))
        return self.ui_forms.get(name) if name else None


# Forms follow JSON Schema 2020-12 and also honour draft-07's `dependencies` (property and schema
# dependencies), which react-jsonschema-form forms (SpiffArena's) use for conditional fields.
FormValidator = extend(Draft202012Validator,
                       {"dependencies": Draft7Validator.VALIDATORS["dependencies"]})


def compile_package(package: Package, operators: Iterable[str] | None = None,
                    choices: Iterable[str] | None = None) -> Compiled:
    """Validate and parse; raise DeployError listing every problem (file, element id, reason).

    `operators` are the service-task operators the domain knows (None: not checked); `choices`
    the named choice sources a uiSchema may use. Lanes are the domain's data: whether a lane can
    be turned into people is checked by the domain."""
    problems: list[Problem] = []
    forms = checks.load_forms(package.files, problems)
    ui_forms = uischema.load(package.files, problems)
    ui_of: dict[tuple[str, str], str] = {}
    parser = SpiffBpmnParser(validator=VALIDATOR)
    roots = {}
    for name, text in sorted(package.files.items()):
        if not name.endswith((".bpmn", ".dmn")):
            continue
        try:
            roots[name] = safexml.parse(text)
        except safexml.UnsafeXml as err:
            problems.append(Problem(name, "", str(err)))
    for name, root in roots.items():
        problems.extend(xmlpolicy.check(name, root))  # uploaded markup never runs in a browser
        problems.extend(checks.check_expressions(name, root))
        if name.endswith(".bpmn"):
            problems.extend(checks.check_flows(name, root))
            problems.extend(checks.check_subprocess_lanes(name, root))
            problems.extend(checks.check_operators(name, root, operators))
            problems.extend(instructions.check(name, root))  # templates that would not render
    if problems:
        raise DeployError(problems)

    for name, root in roots.items():
        try:
            if name.endswith(".dmn"):
                parser.add_dmn_xml(root, filename=name)
            else:
                parser.add_bpmn_xml(root, filename=name)
        except SpiffWorkflowException as err:
            problems.append(_from_spiff(err, name))
    if problems:
        raise DeployError(problems)

    specs, names = {}, {}
    for process_id in parser.get_process_ids():
        try:
            spec = parser.get_spec(process_id)
            subprocess_specs = parser.get_subprocess_specs(process_id)
        except SpiffWorkflowException as err:
            problems.append(_from_spiff(err, getattr(err, "file_name", "") or "?"))
            continue
        specs[process_id] = (spec, subprocess_specs)
        names[process_id] = spec.description or process_id
        if len(process_id) > 128 or len(names[process_id]) > 255:
            problems.append(Problem(spec.file or "", process_id,
                                    "process id over 128 or name over 255 characters"))
        for each in [spec, *subprocess_specs.values()]:
            if each is not None:
                problems.extend(checks.check_human_tasks(each, {**forms, **ui_forms}))
                problems.extend(checks.check_ui_forms(each, forms, ui_forms, choices, ui_of))
    if not specs and not problems:
        problems.append(Problem("", "", "the package has no executable process"))
    if problems:
        raise DeployError(sorted(set(problems), key=lambda p: (p.file, p.element_id, p.reason)))
    return Compiled(package=package, specs=specs, names=names, forms=forms, ui_forms=ui_forms,
                    ui_of=ui_of)


def _from_spiff(err: SpiffWorkflowException, name: str) -> Problem:
    if isinstance(err, ValidationException):
        line = f" (line {err.line_number})" if getattr(err, "line_number", "") else ""
        return Problem(err.file_name or name, err.id or "", f"{err}{line}")
    return Problem(name, getattr(err, "id", "") or "", str(err))


def _is_date_time(instance: object) -> bool:
    """RFC 3339 date-time (jsonschema checks it only with an optional package installed)."""
    if not isinstance(instance, str):
        return True
    if not _DATE_TIME.fullmatch(instance):
        return False
    try:
        datetime.fromisoformat(instance.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
                        r"([Zz]|[+-][0-9]{2}:[0-9]{2})")
# Forms are validated with their formats (date, date-time, email, ...): a date field takes
# 2026-12-03, never "2026年12月3日".
FORMAT_CHECKER = FormatChecker()
if "date-time" not in FORMAT_CHECKER.checkers:
    FORMAT_CHECKER.checks("date-time")(_is_date_time)
