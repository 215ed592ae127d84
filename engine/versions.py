"""Deploying packages and finding the versions instances run on (the Engine's deploy half)."""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ProcessDefinition, ProcessVersion

from .errors import DeployError, NotFoundError, ProcessError
from .package import Compiled, Package


class Versions:
    """Mixin of `Engine`: uses its `specs`, `clock`, `_versions`, `_stored` and `_audit`."""

    def compile(self, package: Package) -> Compiled:
        """Validate a package with the deploy rules; raises DeployError."""
        return self.specs.get(package)

    def deploy(self, session: Session, package: Package, actor: str) -> ProcessVersion:
        """Store a validated package as a version that new instances start on. Content already
        stored is not stored again: an earlier version deployed again becomes the one new instances
        start on (going back), audited; the current one deployed again changes nothing."""
        compiled = self.compile(package)
        now = self.clock()
        found = session.scalar(select(ProcessVersion).where(
            ProcessVersion.content_hash == package.content_hash))
        if found is not None:
            if found.id != self.newest_version_id(session):
                found.activated_at = now
                session.flush()
                self._audit(session, actor, "deploy", at=now, detail={
                    "version_id": found.id, "content_hash": package.content_hash,
                    "reactivated": True, "processes": sorted(compiled.specs)})
            return found
        version = ProcessVersion(content_hash=package.content_hash, files=dict(package.files),
                                 deployed_by=actor, deployed_at=now, activated_at=now)
        version.definitions = [ProcessDefinition(process_id=pid, name=compiled.names.get(pid))
                               for pid in sorted(compiled.specs)]
        session.add(version)
        session.flush()
        self._audit(session, actor, "deploy", at=now, detail={
            "version_id": version.id, "content_hash": package.content_hash,
            "files": sorted(package.files), "processes": sorted(compiled.specs)})
        return version

    def compiled_version(self, session: Session, version_id: int) -> Compiled:
        """The parsed specs of a stored version (parsed once per process, then cached)."""
        package = self._versions.get(version_id)
        if package is None:
            package = self._versions[version_id] = Package(_read_files(session, version_id))
        try:
            return self.specs.get(package)
        except DeployError as err:  # stored before today's rules: it must not run
            raise ProcessError(f"process version {version_id} no longer passes the deploy "
                               f"rules: {err}") from err

    def stored_files(self, session: Session, version_id: int) -> Mapping[str, str]:
        """A version's files as the row holds them: what a diagram draws and its file URL
        serves, read once per version and process (deploy never changes a stored version:
        new content is a new version). Read apart from `compiled_version`, which raises for a
        version that no longer passes the deploy rules; its diagram is still shown as stored."""
        files = self._stored.get(version_id)
        if files is None:
            files = self._stored[version_id] = MappingProxyType(_read_files(session, version_id))
        return files

    @staticmethod
    def newest_version_id(session: Session) -> int | None:
        """The version new instances start on: the latest activated."""
        return session.scalar(select(ProcessVersion.id).order_by(
            ProcessVersion.activated_at.desc(), ProcessVersion.id.desc()).limit(1))

    def latest_definition(self, session: Session, process_id: str) -> ProcessDefinition:
        """The definition of `process_id` in the latest activated version that has it."""
        found = session.scalar(select(ProcessDefinition).join(ProcessDefinition.version)
                               .where(ProcessDefinition.process_id == process_id)
                               .order_by(ProcessVersion.activated_at.desc(),
                                         ProcessDefinition.version_id.desc()).limit(1))
        if found is None:
            raise NotFoundError(f"no deployed process '{process_id}'")
        return found


def _read_files(session: Session, version_id: int) -> dict[str, str]:
    """A stored version's files (name -> text); NotFoundError if there is no such version."""
    files = session.scalar(select(ProcessVersion.files).where(ProcessVersion.id == version_id))
    if files is None:
        raise NotFoundError(f"process version {version_id} does not exist")
    return dict(files)
