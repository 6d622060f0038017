"""Template files to versioned rows: a changed file is a new version, never an edit.

Why: an audit points at the :class:`AuditTemplate` row it was answered against, so its
questions must never change under it. Loading the files compares each template's
content checksum with the rows for its code: the same content (even after the file
went back to an earlier wording) reuses that row; new content adds version N+1 with its
questions. Only the version matching the file is ``active`` (offered for new audits).

Folders: the shipped ``resources/templates`` and the council's own
``<config>/templates``; a council file with the same code replaces the shipped one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop import paths
from desktop.errors import InputProblem
from desktop.models import AuditTemplate, TemplateQuestion
from desktop.models.enums import EventAction
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_change
from desktop.services.policy import templates_folder
from desktop.services.templates.spec import TemplateSpec, read_template

#: Template and question ids derive from the content, so two laptops that load the same
#: file offline make the same rows and sync has nothing to reconcile.
TEMPLATE_NAMESPACE = uuid.UUID("5f1c0b1e-2d7a-4c1e-9a4b-6b8f0d3e2a71")


@dataclass(frozen=True)
class TemplateVersion:
    code: str
    version: int
    template_id: str
    title: str
    created: bool


def template_folders() -> list[Path]:
    folders = [paths.resource("templates")]
    own = templates_folder()  # the council's: <config>/templates or the policy's folder
    if own.is_dir():
        folders.append(own)
    return folders


def read_folders(folders: Sequence[Path]) -> list[TemplateSpec]:
    """Every template in ``folders``; a later folder's template replaces an earlier one's."""
    by_code: dict[str, TemplateSpec] = {}
    for folder in folders:
        seen: dict[str, Path] = {}
        for path in sorted(folder.glob("*.toml")):
            spec = read_template(path)
            if spec.code in seen:
                raise InputProblem(f"{path}:1: template code '{spec.code}' is also used by "
                                   f"{seen[spec.code].name}")
            seen[spec.code] = path
            by_code[spec.code] = spec
    return [by_code[c] for c in sorted(by_code)]


def _store_version(session: Session, ctx: ServiceContext, spec: TemplateSpec,
                   rows: list[AuditTemplate]) -> tuple[AuditTemplate, bool]:
    checksum = spec.checksum
    match = next((r for r in rows if r.checksum == checksum), None)
    created = match is None
    if match is None:
        template_id = str(uuid.uuid5(TEMPLATE_NAMESPACE, f"{spec.code}:{checksum}"))
        version = max((r.version for r in rows), default=0) + 1
        match = AuditTemplate(id=template_id, code=spec.code, version=version, title=spec.title,
                              description=spec.description, source=spec.source,
                              checksum=checksum, active=True)
        session.add(match)
        session.flush()
        session.add_all([
            TemplateQuestion(id=str(uuid.uuid5(TEMPLATE_NAMESPACE, f"{template_id}:{q.code}")),
                             template_id=match.id, code=q.code, section=q.section,
                             position=position, text=q.text, answer_type=q.answer_type,
                             required=q.required, help=q.help, standard_code=q.standard_code)
            for position, q in enumerate(spec.questions, 1)])
        log_change(session, ctx, EventAction.CREATE, "audit_template", match.id,
                   code=spec.code, version=match.version)
    if match.deleted:  # a tombstoned version whose content came back
        match.deleted = False
    for row in rows:
        should = row is match
        if row.active != should:
            row.active = should
    if not match.active:
        match.active = True
        log_change(session, ctx, EventAction.CHANGE, "audit_template", match.id,
                   fields=["active"], to="active")
    return match, created


def load_templates(ctx: ServiceContext, folders: Sequence[Path] | None = None
                   ) -> list[TemplateVersion]:
    """Bring the stored versions in line with the files; returns the active versions.

    Raises:
        InputProblem: a template file has an error ("file:line: reason"); nothing is
            stored for any file then.
    """
    specs = read_folders(template_folders() if folders is None else folders)
    with ctx.store.read() as session:
        stored = {(r.code, r.checksum) for r in session.scalars(
            select(AuditTemplate).where(AuditTemplate.deleted.is_(False),
                                        AuditTemplate.active.is_(True)))}
    if all((s.code, s.checksum) in stored for s in specs):
        with ctx.store.read() as session:
            return [_version_of(session, s, created=False) for s in specs]
    result: list[TemplateVersion] = []
    with ctx.store.transaction() as session:
        for spec in specs:
            rows = list(session.scalars(select(AuditTemplate).where(
                AuditTemplate.code == spec.code)))
            row, created = _store_version(session, ctx, spec, rows)
            result.append(TemplateVersion(row.code, row.version, row.id, row.title, created))
    return result


def _version_of(session: Session, spec: TemplateSpec, created: bool) -> TemplateVersion:
    row = session.scalars(select(AuditTemplate).where(
        AuditTemplate.code == spec.code, AuditTemplate.checksum == spec.checksum,
        AuditTemplate.deleted.is_(False))).one()
    return TemplateVersion(row.code, row.version, row.id, row.title, created)


def current_template(ctx: ServiceContext, code: str,
                     folders: Sequence[Path] | None = None) -> TemplateVersion:
    """The version of template ``code`` a new audit is made with."""
    for version in load_templates(ctx, folders):
        if version.code == code:
            return version
    raise InputProblem(f"no audit template with the code '{code}'")
