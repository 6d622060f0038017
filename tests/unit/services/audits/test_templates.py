"""Template files: the shipped ones, versioning, and errors refused with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop import paths
from desktop.errors import InputProblem
from desktop.models import AuditTemplate, TemplateQuestion
from desktop.services.audits import lifecycle
from desktop.services.audits.views import show_audit
from desktop.services.context import ServiceContext
from desktop.services.templates.spec import parse_template, read_template
from desktop.services.templates.versions import load_templates
from desktop.store import Store
from tests.unit.services.audits.world import make_world

SHIPPED = paths.resource("templates")


def test_the_four_seed_templates_load_once(ctx: ServiceContext, store: Store) -> None:
    first = load_templates(ctx)
    assert {v.code for v in first} == {"covid_virtual_oversight", "risk_assessment_rag",
                                       "quality_case_tool", "green_visiting"}
    assert all(v.version == 1 and v.created for v in first)
    again = load_templates(ctx)
    assert [v.template_id for v in again] == [v.template_id for v in first]
    assert not any(v.created for v in again)
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditTemplate)) == 4
        standards = set(session.scalars(select(TemplateQuestion.standard_code).where(
            TemplateQuestion.standard_code.is_not(None))))
    assert standards == {"visit_f2f", "visit_complex_green", "oversight", "risk_assessment",
                         "vtt_review"}


def test_shipped_templates_match_their_seeds() -> None:
    covid = read_template(SHIPPED / "covid_virtual_oversight.toml")
    assert covid.source == "001"
    oversight = next(q for q in covid.questions if q.standard_code == "oversight")
    assert oversight.required and "4 weeks" in oversight.text and oversight.help
    green = read_template(SHIPPED / "green_visiting.toml")
    assert {q.answer_type for q in green.questions} == {"standard", "yes_no"}
    tool = read_template(SHIPPED / "quality_case_tool.toml")
    assert any(q.answer_type == "grade" for q in tool.questions)
    assert any(q.answer_type == "date" for q in tool.questions)


def _own_copy(name: str) -> Path:
    folder = paths.config_dir() / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copy(SHIPPED / name, target)
    return target


def test_an_edit_is_a_new_version_and_old_audits_keep_theirs(store: Store) -> None:
    world = make_world(store)
    ctx = world.as_user(world.auditor)
    own = _own_copy("risk_assessment_rag.toml")
    original = own.read_text(encoding="utf-8")
    old_audit = lifecycle.start_audit(ctx, world.case(), "risk_assessment_rag")
    own.write_text(original.replace(
        "Is there an up-to-date risk assessment in place?",
        "Is a current risk assessment on file?") + "\n# a comment\n", encoding="utf-8")
    new_audit = lifecycle.start_audit(ctx, world.case(), "risk_assessment_rag")
    old = show_audit(ctx, old_audit, log=False)
    new = show_audit(ctx, new_audit, log=False)
    assert (old.summary.template_version, new.summary.template_version) == (1, 2)
    assert old.answers[0].text == "Is there an up-to-date risk assessment in place?"
    assert new.answers[0].text == "Is a current risk assessment on file?"
    # A comment is not content: no version 3.
    own.write_text(own.read_text(encoding="utf-8") + "# another comment\n", encoding="utf-8")
    assert {v.code: v.version for v in load_templates(ctx)}["risk_assessment_rag"] == 2
    # Going back to the first wording reuses version 1.
    own.write_text(original, encoding="utf-8")
    assert {v.code: v.version for v in load_templates(ctx)}["risk_assessment_rag"] == 1
    with store.read() as session:
        active = session.scalars(select(AuditTemplate.version).where(
            AuditTemplate.code == "risk_assessment_rag", AuditTemplate.active.is_(True)))
        assert list(active) == [1]


GOOD = """code = "t"
title = "A template"

[[section]]
title = "One"

[[section.question]]
code = "q1"
text = "First?"
type = "standard"
required = true

[[section.question]]
code = "q2"
text = "Second?"
type = "yes_no"
"""


@pytest.mark.parametrize(("broken", "line", "reason"), [
    (GOOD.replace('type = "yes_no"', 'type = "yesno"'), 16, "unknown answer type 'yesno'"),
    (GOOD.replace('code = "q2"', 'code = "q1"'), 14, "duplicate question code 'q1' (first "
     "at line 8)"),
    (GOOD.replace('text = "First?"', 'txt = "First?"'), 9, "unknown key 'txt'"),
    (GOOD.replace('text = "Second?"', 'text = ""'), 15, "'text' is missing or empty"),
    (GOOD.replace('required = true', 'required = "yes"'), 11, "'required' must be true"),
    (GOOD.replace('title = "One"', 'title = "One'), 5, "Illegal character"),
    (GOOD.replace('type = "standard"', 'type = "standard"\nstandard = "visits"'), 11,
     "unknown practice standard 'visits'"),
    (GOOD + '\n[[section]]\ntitle = "Empty"\n', 18, "section 'Empty' has no"),
])
def test_a_broken_template_is_refused_with_file_and_line(broken: str, line: int,
                                                          reason: str) -> None:
    with pytest.raises(InputProblem) as refused:
        parse_template(broken, Path("council/t.toml"))
    assert refused.value.message.startswith(f"council/t.toml:{line}: {reason}")


def test_a_broken_file_stores_nothing(ctx: ServiceContext, store: Store, tmp_path: Path
                                      ) -> None:
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD.replace('"t"', '"u"').replace("standard", "stand"),
                                     encoding="utf-8")
    with pytest.raises(InputProblem, match=r"b\.toml:10: unknown answer type"):
        load_templates(ctx, [tmp_path])
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditTemplate)) == 0


def test_two_laptops_make_the_same_template_rows(ctx: ServiceContext, tmp_path: Path) -> None:
    from desktop.store import open_store

    other = open_store(tmp_path / "laptop2" / "dipsample.db", prompt=None, create=True)
    try:
        theirs = load_templates(ServiceContext(store=other))
    finally:
        other.close()
    assert [v.template_id for v in load_templates(ctx)] == [v.template_id for v in theirs]
