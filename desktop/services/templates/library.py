"""The audit templates a QA lead sees and changes: every stored version, and new ones.

Why a new version is a file in the config folder: :func:`load_templates` brings the
stored versions in line with the template files each time audits are made, so a version
imported only into the store would be switched off again by the shipped file. Copying
the file into ``<config>/templates`` makes it the council's template for its code, for
the window and the command line alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from desktop.errors import InputProblem
from desktop.models import AuditTemplate, TemplateQuestion
from desktop.services.auth import Permission, guard
from desktop.services.context import ServiceContext
from desktop.services.policy import current_policy, templates_folder
from desktop.services.templates.spec import read_template
from desktop.services.templates.versions import TemplateVersion, load_templates

#: Bytes a template file may have; the shipped ones are a few kilobytes.
MAX_TEMPLATE_BYTES = 1_000_000


@dataclass(frozen=True)
class TemplateRow:
    """One stored version of a template.

    Attributes:
        active: the version new audits are made with.
        questions: how many questions it asks.
        created_at: when it was first stored (aware UTC).
    """

    code: str
    version: int
    title: str
    source: str
    active: bool
    questions: int
    created_at: dt.datetime


def own_folder() -> Path:
    """The council's templates: ``<config>/templates``, or the policy's folder."""
    return templates_folder()


def template_rows(ctx: ServiceContext) -> list[TemplateRow]:
    """Every version of every template, by code then newest first (files loaded first)."""
    load_templates(ctx)
    questions = (select(TemplateQuestion.template_id, func.count().label("n"))
                 .where(TemplateQuestion.deleted.is_(False))
                 .group_by(TemplateQuestion.template_id).subquery())
    with ctx.store.read() as session:
        rows = session.execute(
            select(AuditTemplate.code, AuditTemplate.version, AuditTemplate.title,
                   AuditTemplate.source, AuditTemplate.active, questions.c.n,
                   AuditTemplate.created_at)
            .outerjoin(questions, questions.c.template_id == AuditTemplate.id)
            .where(AuditTemplate.deleted.is_(False))
            .order_by(AuditTemplate.code, AuditTemplate.version.desc()))
        return [TemplateRow(r.code, r.version, r.title, r.source, r.active, r.n or 0,
                            r.created_at) for r in rows]


def import_template(ctx: ServiceContext, path: Path | str) -> TemplateVersion:
    """Make a template file the council's version of its template, and store it.

    The same content as a stored version makes that version active again instead of
    adding one. On any problem the council's folder is left as it was.

    Raises:
        InputProblem: the file is not a template ("file:line: reason"), or another
            template file of the council is broken.
    """
    guard(ctx, Permission.TEMPLATES)
    locked = current_policy().templates_folder
    if locked is not None:
        raise InputProblem(f"The audit templates are set by your IT team's policy (the "
                           f"folder {locked}); ask them to put the new version there.")
    path = Path(path)
    if not path.is_file():
        raise InputProblem(f"{path.name}: no such file")
    if path.stat().st_size > MAX_TEMPLATE_BYTES:
        raise InputProblem(f"{path.name}: larger than {MAX_TEMPLATE_BYTES:,} bytes; a "
                           "template is a few kilobytes of text")
    spec = read_template(path)
    folder = own_folder()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{spec.code}.toml"
    for other in sorted(folder.glob("*.toml")):
        try:
            if read_template(other).code == spec.code:
                target = other  # replace the council's earlier file for this code
                break
        except InputProblem:
            continue
    previous = target.read_bytes() if target.exists() else None
    target.write_bytes(path.read_bytes())
    try:
        versions = load_templates(ctx)
    except BaseException:
        if previous is None:
            target.unlink(missing_ok=True)
        else:
            target.write_bytes(previous)
        raise
    return next(v for v in versions if v.code == spec.code)
