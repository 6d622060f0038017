"""Every record that holds or hangs off a child's record is held to the reader's reach.

Why a test: the reach is applied by the reading session to the models listed in
``visibility.criteria``; a new table added without a line there would be read whole by
everyone (an action's status moves were, for a day). This lists every synced model and
fails on one that is in neither the scoped list nor the list below of tables that hold no
child's record, each with its reason.
"""

from __future__ import annotations

from desktop.models import Base, Synced
from desktop.services.auth.scope import Scope
from desktop.services.auth.visibility import criteria

#: Synced tables read whole by anyone who may read them at all, and why.
NO_CHILDS_RECORD = {
    "service_areas": "the council's structure",
    "teams": "the council's structure",
    "workers": "the council's staff (names shown on cases they may see anyway)",
    "users": "the app's people; who may see whom is the People tab's permission",
    "user_service_areas": "the app's people",
    "audit_templates": "the practice standards' questions",
    "template_questions": "the practice standards' questions",
    "standards_versions": "the council's settings",
    "improvement_plans": "council-wide plans, no child in them",
    "plan_findings": "council-wide plans, no child in them",
    "caseload_imports": "which columns an export carried, no row of it",
    "sync_conflicts": "read through the store by sync's own screen (QA and admin only)",
}


def _scoped_tables() -> set[str]:
    limited = Scope(user_id="someone", case_areas=frozenset({"area"}),
                    audit_areas=frozenset({"area"}))
    return {option.entity.class_.__tablename__ for option in criteria(limited)}


def test_every_synced_table_is_scoped_or_named_as_holding_no_childs_record() -> None:
    synced = {mapper.class_.__tablename__ for mapper in Base.registry.mappers
              if issubclass(mapper.class_, Synced)}
    scoped = _scoped_tables()
    assert not scoped & set(NO_CHILDS_RECORD), "a table is both scoped and exempt"
    unaccounted = sorted(synced - scoped - set(NO_CHILDS_RECORD))
    assert not unaccounted, (f"{unaccounted}: add its reach to visibility.criteria, or "
                             "name it in NO_CHILDS_RECORD with the reason")
    assert not set(NO_CHILDS_RECORD) - synced, "an exempt table that no longer exists"


def test_the_status_moves_of_an_action_are_scoped() -> None:
    assert "action_status_changes" in _scoped_tables()
