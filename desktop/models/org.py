"""The council's structure: service areas, teams, workers and the app's users."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Synced


class ServiceArea(Synced, Base):
    """A locality or service (seed 000: North, Mid & East, Exeter, ... SGO).

    Its Head of Service (for escalations, seed 001) is the user with the
    ``head_of_service`` role linked to the area; a team's manager is the worker with
    the ``team_manager`` role in the team. Neither is a column, which keeps the
    foreign keys free of cycles.
    """

    __tablename__ = "service_areas"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    teams: Mapped[list[Team]] = relationship(back_populates="service_area")


class Team(Synced, Base):
    __tablename__ = "teams"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    service_area_id: Mapped[str] = mapped_column(ForeignKey("service_areas.id"), index=True)

    service_area: Mapped[ServiceArea] = relationship(back_populates="teams")


class Worker(Synced, Base):
    """A practitioner in the case system: social worker, team manager, PA.

    ``staff_ref`` is the case system's identifier, the key a re-import matches on.
    """

    __tablename__ = "workers"

    staff_ref: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    role: Mapped[str] = mapped_column(String(30), default="social_worker")
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), index=True, default=None)
    email: Mapped[str | None] = mapped_column(String(200), default=None)


class User(Synced, Base):
    """Someone who signs in to DipSample: an auditor, QA officer, manager.

    ``roles`` is a comma-separated set of :class:`~desktop.models.enums.Role` codes;
    ``job_title`` is the council's own title (seed 000: "Area Manager (North)").
    """

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    job_title: Mapped[str] = mapped_column(String(120), default="")
    roles: Mapped[str] = mapped_column(String(200), default="")
    #: Set when the user is also a worker in the case system (a team manager).
    worker_id: Mapped[str | None] = mapped_column(ForeignKey("workers.id"), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    #: ``scrypt$N$r$p$salt$hash`` (desktop/services/auth/passwords.py); "" while none is
    #: set. Never the password itself.
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    #: Sign-in attempts with a wrong password since the last right one (the lock-out).
    failed_signins: Mapped[int] = mapped_column(default=0)

    areas: Mapped[list[UserServiceArea]] = relationship(
        primaryjoin="and_(User.id == UserServiceArea.user_id, UserServiceArea.deleted == False)",
        viewonly=True,
    )

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)

    def has_role(self, role: str) -> bool:
        return role in self.role_set


class UserServiceArea(Synced, Base):
    """An auditor's own service areas, where their weekly sample is drawn (seed 000)."""

    __tablename__ = "user_service_areas"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    service_area_id: Mapped[str] = mapped_column(ForeignKey("service_areas.id"), index=True)
