"""A record's id as a person typed it for a report, looked up in a read of its own."""

from __future__ import annotations

from desktop.models.base import Synced
from desktop.services.context import ServiceContext
from desktop.services.people.ids import expand_id


def resolve(ctx: ServiceContext, model: type[Synced], text: str, what: str) -> str:
    """The one id of ``model`` that ``text`` names, whole or its first characters.

    Raises:
        InputProblem: it names none, or fits more than one ``what``.
    """
    with ctx.read() as session:
        return expand_id(session, model, text, what)
