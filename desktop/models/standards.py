"""Versions of a council's practice-standards settings.

Why stored: an audit records which version of the standards applied, so a figure
reported in March can be explained in June after the settings changed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Synced, UTCDateTime


class StandardsVersion(Synced, Base):
    """Identity: a UUIDv5 of the settings' checksum, so the same settings saved on two
    laptops offline are one row. ``number`` is a label only (two laptops may both make
    "version 4"); the current version is the latest ``effective_from``, then the later
    ``hlc`` (docs/sync.md, 'Versions')."""

    __tablename__ = "standards_versions"

    number: Mapped[int] = mapped_column(Integer)
    #: The settings as canonical JSON.
    settings_json: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64), unique=True)
    effective_from: Mapped[dt.datetime] = mapped_column(UTCDateTime)
