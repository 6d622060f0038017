"""The practice standards' version history, and saving a new version from the window.

Why a version on save: an audit records which standards applied to it, so the history a
QA lead sees must show each change as it happened; recording the version when the file
is saved (not only at the next submit) dates it from the moment it was decided.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from desktop.models import Audit, StandardsVersion
from desktop.services.auth import Permission, guard
from desktop.services.context import ServiceContext
from desktop.services.standards.settings import current_standards_version
from desktop.services.standards.settings_file import flatten
from desktop.services.standards.settings_form import STANDARDS, SettingsForm, save_form


@dataclass(frozen=True)
class StandardsVersionInfo:
    """One version of the practice standards.

    Attributes:
        number: 1, 2, ... in the order they came into force.
        effective_from: when it was first recorded (aware UTC); for the first version,
            the earlier of that and the store's first audit, which it governed (it
            read "in force from" a December day while October audits recorded it:
            trial item 24).
        since_start: the first version: in force since the store began.
        changed: the settings that differ from the version before (all for the first).
        current: it is the version the settings file holds now.
        settings: the version's settings, decoded.
    """

    number: int
    effective_from: dt.datetime
    changed: tuple[str, ...]
    current: bool
    settings: dict[str, Any]
    since_start: bool = False


def standards_history(ctx: ServiceContext) -> list[StandardsVersionInfo]:
    """Every version, newest first; the file's current settings are recorded first."""
    current = current_standards_version(ctx)
    with ctx.store.read() as session:
        rows = list(session.execute(select(
            StandardsVersion.number, StandardsVersion.effective_from,
            StandardsVersion.settings_json, StandardsVersion.id).where(
            StandardsVersion.deleted.is_(False)).order_by(
            StandardsVersion.effective_from, StandardsVersion.hlc, StandardsVersion.id)))
        created, submitted, dated = session.execute(select(
            func.min(Audit.created_at), func.min(Audit.submitted_at),
            func.min(Audit.audit_date))).one()
    # An audit dated in October records v1 though its row was written later (an import,
    # the demo): the earliest of its dates counts.
    starts = [(at if at.tzinfo else at.replace(tzinfo=dt.UTC)) for at in (created, submitted)
              if at is not None]
    if dated is not None:
        starts.append(dt.datetime.combine(dated, dt.time(), dt.UTC))
    first_audit = min(starts) if starts else None
    history: list[StandardsVersionInfo] = []
    before: dict[str, Any] | None = None
    for number, effective_from, text, version_id in rows:
        if before is None and first_audit is not None:
            if effective_from.tzinfo is None:
                effective_from = effective_from.replace(tzinfo=dt.UTC)
            effective_from = min(effective_from, first_audit)
        settings = json.loads(text)
        flat = flatten(settings)
        changed = tuple(sorted(flat)) if before is None else tuple(
            sorted(k for k in flat if flat[k] != before.get(k)))
        history.append(StandardsVersionInfo(number, effective_from, changed,
                                            version_id == current.id, settings,
                                            since_start=before is None))
        before = flat
    return history[::-1]


def save_settings(ctx: ServiceContext, form: SettingsForm, texts: Mapping[str, str]) -> None:
    """Save a settings form (the quotas, the workflow numbers) as the acting user.

    Why here and not only in the form: the form's file functions know no person, and
    who may change settings is checked in the services (docs/security.md).

    Raises:
        PermissionRefused: the acting user may not change settings.
        SettingsRefused: a value is refused; nothing is saved.
    """
    guard(ctx, Permission.SETTINGS)
    if form is STANDARDS:
        save_standards(ctx, texts)
        return
    save_form(form, texts)


def save_standards(ctx: ServiceContext, texts: Mapping[str, str]) -> int:
    """Save the standards form to ``standards.json`` and record its version; its number.

    Raises:
        SettingsRefused: a value is refused; nothing is saved.
    """
    guard(ctx, Permission.SETTINGS)
    save_form(STANDARDS, texts)
    return current_standards_version(ctx).number
