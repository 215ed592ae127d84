"""Process design (流程设计): packages edited in the browser, deployed as versions, and running
cases moved to a newer version. The rules are the engine's; this module checks what arrives from
the editor and chooses the cases."""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import DeployError, Engine, Package, Problem
from engine.migration import MigrationPlan, dry_run, migrate, select_instances
from models import ProcessInstance, ProcessVersion

from . import lanes
from engine import uischema
from .choices import SOURCES
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

# Names as `Package.from_folder` makes them: relative paths, no "..", only package file types.
FILE_NAME = re.compile(r"^(?:[\w\-]+/)*[\w\-][\w.\-]*\.(?:bpmn|dmn|json)$")
MAX_PACKAGE_CHARS = 8_000_000


def package_from(files: object) -> Package:
    """A package from the editor's {name: text}; DeployError if names or contents are unusable."""
    if not isinstance(files, dict) or not files:
        raise DeployError([Problem("", "", "no files were sent")])
    problems = [Problem(str(name), "", "file name must be a relative .bpmn, .dmn or .json path")
                for name in files if not isinstance(name, str) or not FILE_NAME.match(name)]
    problems += [Problem(str(name), "", "file content must be text")
                 for name, text in files.items() if not isinstance(text, str)]
    if not problems and sum(len(t) for t in files.values()) > MAX_PACKAGE_CHARS:
        problems.append(Problem("", "", "the package is too large"))
    if problems:
        raise DeployError(problems)
    return Package(dict(files))


def validate(session: Session, engine: Engine, files: object) -> list[Problem]:
    """Every problem the deploy rules find (empty when the package would deploy)."""
    try:
        return package_problems(session, engine, package_from(files))
    except DeployError as err:
        return err.problems


def package_problems(session: Session, engine: Engine, package: Package) -> list[Problem]:
    """The engine's deploy rules, then the domain's: every lane needs an assignment rule."""
    try:
        engine.compile(package)
        problems: list[Problem] = []
    except DeployError as err:
        problems = list(err.problems)
    return problems + lanes.lane_problems(session, dict(package.files))


def deploy(session: Session, engine: Engine, files: object, actor: str) -> ProcessVersion:
    """Deploy the edited files as a new version (audited by the engine); DeployError if refused."""
    return deploy_package(session, engine, package_from(files), actor)


def deploy_package(session: Session, engine: Engine, package: Package,
                   actor: str) -> ProcessVersion:
    """Deploy a package once the engine's and the domain's rules accept it."""
    problems = package_problems(session, engine, package)
    if problems:
        raise DeployError(problems)
    return engine.deploy(session, package, actor)


def newest_version_id(session: Session) -> int | None:
    """The version new cases start on."""
    return Engine.newest_version_id(session)


def running_counts(session: Session) -> dict[tuple[int, str], int]:
    """(version id, process id) -> running cases."""
    rows = session.execute(
        select(ProcessInstance.process_version_id, ProcessInstance.process_id, func.count())
        .where(ProcessInstance.status == "running")
        .group_by(ProcessInstance.process_version_id, ProcessInstance.process_id))
    return {(version, process): n for version, process, n in rows}


def migrate_cases(session: Session, engine: Engine, *, process_id: str, to_version_id: int,
                  actor: str, from_version_id: int | None = None, at_step: str | None = None,
                  case_id: int | None = None, dry: bool = True) -> list[MigrationPlan]:
    """Dry-run or migrate one case or the running cases the filters select."""
    if case_id is not None:
        ids = [case_id]
    else:
        ids = select_instances(session, process_id, from_version_id=from_version_id, at_step=at_step)
    if dry:
        return dry_run(session, engine, ids, to_version_id)
    return migrate(session, engine, ids, to_version_id, actor)


def ui_problem(ui: dict, schema: dict) -> str | None:
    """Why a uiSchema would be refused at deploy beside its form, or None."""
    found = uischema.check("", "", ui, schema, SOURCES)
    return "; ".join(p.reason for p in found) or None


def form_problem(schema: dict) -> str | None:
    """Why a form schema would be refused at deploy (the engine's JSON Schema rule), or None."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        return err.message
    return None
