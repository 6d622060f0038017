"""Council words for roles and job titles: one table, the same roles in any column
(issue 25, item 2). "Head of Service" in a Roles column once gave only
``head_of_service`` and as a job title ``auditor, head_of_service``; "Area Manager" was
refused in Roles and accepted as a title."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from desktop.errors import EnvironmentProblem
from desktop.services.audits.refused import ImportRefused
from desktop.services.people.staff import import_staff, list_users
from desktop.services.people.titles import council_file, load_titles
from desktop.services.sampling.weekly import area_auditors
from tests.unit.services.caseload.helpers import fixed_ctx

#: The words the issue names, with variants a council's HR list writes.
COUNCIL_WORDS = (
    "Head of Service", "Head of Service (Safeguarding)", "Service Manager",
    "Senior Service Manager", "Area Manager", "Area Manager (North)", "Senior Manager",
    "Locality Director", "Improvement Lead", "Improvement Director", "QA Officer",
    "Quality Assurance Officer", "Senior Lead (QARSS)", "Practice Lead",
    "Principal Social Worker", "Team Manager", "Assistant Team Manager", "Social Worker",
    "Senior Social Worker", "Business Support", "Business Support Officer",
)
#: Who dip-samples every week in the council's note: each must be drawn a sample.
WEEKLY_SAMPLERS = ("Locality Director", "Area Manager", "Senior Manager", "Improvement Lead",
                   "Improvement Director", "Head of Service")


def staff_list(path: Path, column: str, words: list[str]) -> Path:
    """One person per word, the word in ``column`` ("Roles" or "Job title")."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Name", "Username", "Job title", "Roles", "Service areas"])
    for n, word in enumerate(words):
        title, roles = (word, "") if column == "Job title" else ("", word)
        writer.writerow([f"Testperson {n}", f"{column[0].lower()}-{n}", title, roles, "North"])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def roles_by_word(store, prefix: str, words: list[str]) -> dict[str, tuple[str, ...]]:  # type: ignore[no-untyped-def]
    members = {m.username: m.roles for m in list_users(fixed_ctx(store))}
    return {word: members[f"{prefix}-{n}"] for n, word in enumerate(words)}


def test_each_council_word_gives_the_same_roles_in_roles_and_in_job_title(
        store, tmp_path: Path) -> None:
    words = [*COUNCIL_WORDS, *(t.words for t in load_titles().titles)]
    ctx = fixed_ctx(store)
    import_staff(ctx, staff_list(tmp_path / "roles.csv", "Roles", words))
    import_staff(ctx, staff_list(tmp_path / "titles.csv", "Job title", words))
    through_roles = roles_by_word(store, "r", words)
    through_titles = roles_by_word(store, "j", words)
    assert through_roles == through_titles
    assert all(through_roles.values())
    assert through_roles["Head of Service"] == ("auditor", "head_of_service")
    assert through_roles["Area Manager (North)"] == ("auditor",)
    assert through_roles["QA Officer"] == ("qa",)
    assert through_roles["Assistant Team Manager"] == ("team_manager",)
    assert through_roles["Senior Social Worker"] == ("social_worker",)
    for word in WEEKLY_SAMPLERS:
        assert "auditor" in through_roles[word], word
    # Every weekly sampler is among the area's auditors, whichever column named them.
    _area, auditors, _others = area_auditors(ctx, "North")
    ids = {m.username: m.id for m in list_users(ctx)}
    drawn = {a.auditor_id for a in auditors}
    for n, word in enumerate(words):
        if word in WEEKLY_SAMPLERS:
            assert {ids[f"r-{n}"], ids[f"j-{n}"]} <= drawn, word


def test_an_unknown_word_names_the_known_titles_not_a_source(store, tmp_path: Path) -> None:
    path = staff_list(tmp_path / "roles.csv", "Roles", ["Area Manager", "Chief Cook"])
    with pytest.raises(ImportRefused) as refused:
        import_staff(fixed_ctx(store), path)
    [problem] = refused.value.problems
    assert (problem.row, problem.column) == (3, "Roles")
    assert problem.reason.startswith("not a known job title; known titles are Head of "
                                     "Service, Service Manager, Area Manager")
    assert "seed" not in problem.reason.casefold()
    titles = staff_list(tmp_path / "titles.csv", "Job title", ["Chief Cook"])
    with pytest.raises(ImportRefused) as by_title:
        import_staff(fixed_ctx(store), titles)
    [problem] = by_title.value.problems
    assert problem.column == "Job title"
    assert problem.reason.startswith("no roles, and the job title is not a known job title;")


def test_a_councils_own_table_replaces_the_built_in_one(store, tmp_path: Path) -> None:
    council_file().write_text("# our titles\nwords,roles\nDip Sampler,auditor\n"
                              "Head of Service,head_of_service\n", encoding="utf-8")
    path = staff_list(tmp_path / "titles.csv", "Job title", ["Dip Sampler (North)",
                                                             "Head of Service"])
    import_staff(fixed_ctx(store), path)
    assert roles_by_word(store, "j", ["Dip Sampler (North)", "Head of Service"]) == {
        "Dip Sampler (North)": ("auditor",), "Head of Service": ("head_of_service",)}
    with pytest.raises(ImportRefused):
        import_staff(fixed_ctx(store), staff_list(tmp_path / "r.csv", "Roles",
                                                  ["Area Manager"]))
    council_file().write_text("words,roles\nDip Sampler,wizard\n", encoding="utf-8")
    with pytest.raises(EnvironmentProblem, match=r"job_titles.csv, line 2: 'wizard' is not "
                       "a role; the roles are auditor"):
        load_titles()
